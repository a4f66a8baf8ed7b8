// The rule set behind decide(): address lists, the password table and the CURVE key sets, with
// the two files it reads re-checked by stamp at most once per reload interval.
#include "security/access_rules.hpp"

#include "runtime/core/error.hpp"
#include "runtime/core/zmtp_command.hpp"
#include "security/curve_keys.hpp"
#include "security/file_stamp.hpp"
#include "security/password_file.hpp"
#include "security/z85.hpp"
#include "security/zcert.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>

namespace cafmq::security {

namespace {

using time_point = std::chrono::steady_clock::time_point;

/// A file (or directory) read into the rules, and whether its last read worked.
struct watched {
  std::string path;   ///< empty: not configured
  std::string stamp;  ///< of the content loaded last
  std::string error;  ///< non-empty: the last read failed; decisions needing it give 500
  time_point checked{};
};

constexpr size_t max_password_file = 1 << 20;

std::string read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw error{errc::invalid_argument, "cannot open " + path};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw error{errc::invalid_argument, "cannot read " + path};
  auto s = std::move(text).str();
  if (s.size() > max_password_file)
    throw error{errc::invalid_argument, path + ": larger than 1 MiB"};
  return s;
}

bool is_certificate_name(const std::string& name) {
  const std::string secret = "_secret";
  bool is_secret = name.size() >= secret.size()
                   && name.compare(name.size() - secret.size(), secret.size(), secret) == 0;
  return !name.empty() && name[0] != '.' && !is_secret;
}

/// The Z85 public keys of the certificates in `dir`; unparsable files go to `skipped`.
std::set<std::string> read_certificates(const std::string& dir, std::vector<std::string>& skipped) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr)
    throw error{errc::invalid_argument, "cannot read the certificate directory " + dir};
  std::vector<std::string> names;
  while (auto* e = ::readdir(d))
    if (is_certificate_name(e->d_name))
      names.emplace_back(e->d_name);
  ::closedir(d);
  std::set<std::string> keys;
  for (auto& name : names) {
    std::string path = dir;
    path += '/';
    path += name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;  // gone since readdir, or a subdirectory, socket, ...
    try {
      keys.insert(load_zcert(path).public_key.z85());
    } catch (const error& e) {
      skipped.emplace_back(e.what());
    }
  }
  return keys;
}

auth_reply allowed(std::string user_id) {
  return {200, "OK", std::move(user_id)};
}

auth_reply denied(std::string why) {
  return {400, std::move(why), {}};
}

auth_reply internal_error(std::string why) {
  return {500, std::move(why), {}};
}

} // namespace

struct access_rules::state {
  clock_fn now;
  std::chrono::milliseconds interval{1000};
  std::set<std::string, std::less<>> allowed_addresses, denied_addresses;
  watched password_file;
  password_table users;
  bool any_key = false;
  std::set<std::string, std::less<>> keys;  // Z85
  watched cert_dir;
  std::set<std::string, std::less<>> cert_keys;
  std::vector<std::string> skipped;

  void load_passwords() {
    users = parse_password_file(read_text(password_file.path), password_file.path);
  }
  void load_certificates() {
    std::vector<std::string> skipped_now;
    auto found = read_certificates(cert_dir.path, skipped_now);
    cert_keys.clear();
    cert_keys.insert(found.begin(), found.end());
    skipped = std::move(skipped_now);
  }

  /// Re-reads `w` through `load` if its stamp changed or its last read failed, at most once
  /// per interval. A failed read clears `clear` and records the error.
  template <class Stamp, class Load, class Clear>
  void refresh(watched& w, Stamp stamp, Load load, Clear clear) {
    if (w.path.empty())
      return;
    auto t = now();
    if (t - w.checked < interval)
      return;
    w.checked = t;
    auto s = stamp(w.path);
    if (s.ok && s.stamp == w.stamp && w.error.empty())
      return;
    try {
      if (!s.ok)
        throw error{errc::invalid_argument, "cannot read " + s.error};
      load();  // stamp first, then read: a change in between is seen at the next check
      w.stamp = s.stamp;
      w.error.clear();
    } catch (const std::exception& e) {
      clear();
      w.stamp.clear();
      w.error = e.what();
    }
  }

  auth_reply decide_plain(const auth_request& r) {
    if (r.credentials.size() != 2)
      return denied("malformed PLAIN credentials");
    if (password_file.path.empty())
      return denied("PLAIN is not configured (no password file)");
    refresh(password_file, stamp_file, [this] { load_passwords(); }, [this] { users.clear(); });
    if (!password_file.error.empty())
      return internal_error("password file: " + password_file.error);
    auto& user = r.credentials[0];
    auto it = users.find(user);
    if (it == users.end())
      return denied("unknown user '" + printable(user) + "'");
    if (!equal_constant_time(it->second, r.credentials[1]))
      return denied("wrong password for user '" + printable(user) + "'");
    return allowed(user);
  }

  auth_reply decide_curve(const auth_request& r) {
    if (r.credentials.size() != 1 || r.credentials[0].size() != 32)
      return denied("malformed CURVE credentials");
    auto key = *z85_encode(reinterpret_cast<const uint8_t*>(r.credentials[0].data()), 32);
    if (any_key || keys.count(key) != 0)
      return allowed(key);
    refresh(cert_dir, stamp_directory, [this] { load_certificates(); },
            [this] { cert_keys.clear(); });
    if (!cert_dir.error.empty())
      return internal_error("certificate directory: " + cert_dir.error);
    if (cert_keys.count(key) != 0)
      return allowed(key);
    if (keys.empty() && cert_dir.path.empty())
      return denied("CURVE is not configured (no allowed keys)");
    return denied("client key " + key + " is not allowed");
  }
};

access_rules::access_rules() : access_rules(&std::chrono::steady_clock::now) {}

access_rules::access_rules(clock_fn now) : st_(std::make_unique<state>()) {
  st_->now = std::move(now);
}

access_rules::~access_rules() = default;

void access_rules::allow_address(const std::string& address) {
  std::lock_guard<std::mutex> guard{mtx_};
  st_->allowed_addresses.insert(address);
}

void access_rules::deny_address(const std::string& address) {
  std::lock_guard<std::mutex> guard{mtx_};
  st_->denied_addresses.insert(address);
}

void access_rules::set_password_file(const std::string& path) {
  auto stamp = stamp_file(path);  // stamp first, then read (as refresh does)
  auto users = parse_password_file(read_text(path), path);  // throws before anything changes
  std::lock_guard<std::mutex> guard{mtx_};
  st_->users = std::move(users);
  st_->password_file = watched{path, stamp.ok ? stamp.stamp : std::string{}, {}, st_->now()};
}

void access_rules::allow_curve_key(std::string_view z85) {
  auto key = curve_key::from_z85(z85).z85();  // throws if malformed
  std::lock_guard<std::mutex> guard{mtx_};
  st_->keys.insert(std::move(key));
}

void access_rules::allow_any_curve_key(bool allow) {
  std::lock_guard<std::mutex> guard{mtx_};
  st_->any_key = allow;
}

void access_rules::set_certificate_directory(const std::string& path) {
  auto stamp = stamp_directory(path);
  if (!stamp.ok)
    throw error{errc::invalid_argument, "certificate directory " + stamp.error};
  std::vector<std::string> skipped;
  auto keys = read_certificates(path, skipped);
  std::lock_guard<std::mutex> guard{mtx_};
  st_->cert_keys.clear();
  st_->cert_keys.insert(keys.begin(), keys.end());
  st_->skipped = std::move(skipped);
  st_->cert_dir = watched{path, stamp.stamp, {}, st_->now()};
}

void access_rules::set_reload_interval(std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> guard{mtx_};
  st_->interval = interval;
}

auth_reply access_rules::decide(const auth_request& r) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& s = *st_;
  if (s.denied_addresses.count(r.address) != 0)
    return denied("address " + printable(r.address) + " is denied");
  if (!s.allowed_addresses.empty() && s.allowed_addresses.count(r.address) == 0)
    return denied("address " + printable(r.address) + " is not in the allowed list");
  if (r.mechanism == "NULL")
    return allowed({});
  if (r.mechanism == "PLAIN")
    return s.decide_plain(r);
  if (r.mechanism == "CURVE")
    return s.decide_curve(r);
  return denied("mechanism " + printable(r.mechanism) + " is not supported");
}

std::vector<std::string> access_rules::skipped_certificates() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return st_->skipped;
}

} // namespace cafmq::security
