// zcert files: a writer producing CZMQ's layout byte for byte (apart from the generator's name
// and date in the first comment) and a reader for the ZPL subset certificates use. Buffers that
// held a secret key are wiped.
#include "security/zcert.hpp"

#include "runtime/core/error.hpp"

#include "security/zpl.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cafmq::security {

namespace {

constexpr size_t max_file_size = 64 * 1024;

/// Wipes a string that held secret text, then empties it.
void wipe(std::string& s) noexcept {
  if (!s.empty())
    sodium_memzero(s.data(), s.size());
  s.clear();
}

[[noreturn]] void fail(std::string_view source, size_t line, const std::string& what) {
  throw error{errc::invalid_argument, std::string(source)
                                        + (line ? ":" + std::to_string(line) : std::string{})
                                        + ": " + what};
}

/// `value` quoted for ZPL: double quotes unless it contains one, then single quotes.
std::string quoted(const std::string& name, const std::string& value) {
  if (value.find_first_of("\r\n") != std::string::npos)
    throw error{errc::invalid_argument, "zcert metadata '" + name + "': value spans lines"};
  char q = value.find('"') == std::string::npos ? '"' : '\'';
  if (q == '\'' && value.find('\'') != std::string::npos)
    throw error{errc::invalid_argument,
                "zcert metadata '" + name + "': value holds both quote characters"};
  return q + value + q;
}

std::string header_and_metadata(const zcert& cert, std::string_view generated_on,
                                const char* const* lines) {
  std::string out = "#   ****  Generated on " + std::string(generated_on) + " by cafmq  ****\n";
  for (; *lines; ++lines)
    out += std::string("#   ") + *lines + "\n";
  out += "\nmetadata\n";
  for (auto& [name, value] : cert.metadata) {
    if (!is_zpl_name(name))
      throw error{errc::invalid_argument, "zcert metadata name '" + name
                                            + "' is not a ZPL name ([A-Za-z0-9$-_@.&+/])"};
    out += "    " + name + " = " + quoted(name, value) + "\n";
  }
  out += "curve\n    public-key = \"" + cert.public_key.z85() + "\"\n";
  return out;
}

const char* const public_lines[] = {
  "ZeroMQ CURVE Public Certificate",
  "Exchange securely, or use a secure mechanism to verify the contents",
  "of this file after exchange. Store public certificates in your home",
  "directory, in the .curve subdirectory.", nullptr};

const char* const secret_lines[] = {
  "ZeroMQ CURVE **Secret** Certificate",
  "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.", nullptr};

std::string now_text() {
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
  return buf;
}

[[noreturn]] void io_fail(const std::string& what, const std::string& path) {
  throw error{errc::invalid_argument, what + " " + path + ": " + std::strerror(errno)};
}

/// Writes `text` to `path` with `mode`; `secret` narrows an existing file before writing and
/// refuses to follow a symlink there.
void write_file(const std::string& path, const std::string& text, mode_t mode, bool secret) {
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (secret ? O_NOFOLLOW : 0);
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0)
    io_fail("cannot create", path);
  if (secret && ::fchmod(fd, 0600) != 0) {
    ::close(fd);
    io_fail("cannot restrict the mode of", path);
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ::close(fd);
      io_fail("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0)
    io_fail("cannot write", path);
}

} // namespace

std::string zcert_public_text(const zcert& cert, std::string_view generated_on) {
  return header_and_metadata(cert, generated_on, public_lines);
}

std::string zcert_secret_text(const zcert& cert, std::string_view generated_on) {
  if (!cert.secret_key)
    throw error{errc::invalid_argument, "a secret zcert file needs the secret key"};
  return header_and_metadata(cert, generated_on, secret_lines) + "    secret-key = \""
         + cert.secret_key->z85() + "\"\n";
}

void save_zcert_public(const zcert& cert, const std::string& path) {
  write_file(path, zcert_public_text(cert, now_text()), 0644, false);
}

void save_zcert_secret(const zcert& cert, const std::string& path) {
  auto text = zcert_secret_text(cert, now_text());
  try {
    write_file(path, text, 0600, true);
  } catch (...) {
    wipe(text);
    throw;
  }
  wipe(text);
}

void save_zcert(const zcert& cert, const std::string& path) {
  save_zcert_public(cert, path);
  save_zcert_secret(cert, path + "_secret");
}

zcert parse_zcert(std::string_view text, std::string_view source) {
  auto entries = parse_zpl(text, source);
  std::optional<curve_key> public_key;
  zcert cert;
  std::string section;  // the root-level section the current line belongs to
  try {
    for (auto& e : entries) {
      if (e.depth == 0) {
        section = e.name;
        continue;
      }
      if (e.depth != 1)
        continue;  // deeper levels carry nothing a certificate uses
      if (section == "metadata") {
        cert.metadata.emplace_back(e.name, e.value.value_or(""));
        continue;
      }
      if (section != "curve" || (e.name != "public-key" && e.name != "secret-key"))
        continue;
      bool is_public = e.name == "public-key";
      if (is_public ? public_key.has_value() : cert.secret_key.has_value())
        fail(source, e.line, "a second " + e.name);
      if (!e.value)
        fail(source, e.line, e.name + " has no value");
      try {
        auto key = curve_key::from_z85(*e.value);
        (is_public ? public_key : cert.secret_key) = key;
      } catch (const error& bad) {
        fail(source, e.line, e.name + ": " + bad.what());
      }
    }
    if (!public_key)
      fail(source, 0, "no curve/public-key: not a zcert certificate");
    cert.public_key = *public_key;
    if (cert.secret_key && !(public_key_of(*cert.secret_key) == cert.public_key))
      fail(source, 0, "the secret-key does not belong to the public-key");
  } catch (...) {
    for (auto& e : entries)
      if (e.value)
        wipe(*e.value);
    throw;
  }
  for (auto& e : entries)
    if (e.value)
      wipe(*e.value);
  return cert;
}

zcert load_zcert(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    io_fail("cannot open", path);
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ::close(fd);
      wipe(text);
      io_fail("cannot read", path);
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_file_size) {
      ::close(fd);
      wipe(text);
      fail(path, 0, "larger than 64 KiB, not a certificate");
    }
  }
  ::close(fd);
  sodium_memzero(buf, sizeof buf);
  try {
    auto cert = parse_zcert(text, path);
    wipe(text);
    return cert;
  } catch (...) {
    wipe(text);
    throw;
  }
}

} // namespace cafmq::security
