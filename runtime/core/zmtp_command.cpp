// ZMTP command bodies and metadata properties (RFC 23 §Commands, §Connection Metadata, §The NULL
// Security Mechanism error-reason). Parsers check every length before reading: bytes are hostile.
#include <cstring>
#include "runtime/core/zmtp_command.hpp"

#include "runtime/core/connection_end.hpp"

#include <cstdio>
#include <stdexcept>

namespace cafmq {

namespace {

// Values are 4-byte lengths, but RFC 23 caps them at 2^31-1.
constexpr uint32_t max_value_size = 0x7FFFFFFFu;

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_nocase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

// name-char = ALPHA | DIGIT | "-" | "_" | "." | "+"
bool is_name_char(uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
         || c == '_' || c == '.' || c == '+';
}

uint32_t read_be32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void append_be32(bytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 24));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void append(bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}

std::string_view as_text(const uint8_t* p, size_t n) noexcept {
  return {reinterpret_cast<const char*>(p), n};
}

} // namespace

std::optional<std::string_view> metadata::find(std::string_view name) const {
  for (auto& [key, value] : properties)
    if (equal_nocase(key, name))
      return std::string_view{value};
  return std::nullopt;
}

void encode_metadata(const metadata& md, bytes& out) {
  for (auto& [name, value] : md.properties) {
    // Our own names are constants; a bad one is a programming error, not a wire condition.
    if (name.empty() || name.size() > 255)
      throw std::invalid_argument("metadata name must be 1..255 bytes: '" + printable(name) + "'");
    if (value.size() > max_value_size)
      throw std::invalid_argument("metadata value of '" + name + "' exceeds 2^31-1 bytes");
    out.push_back(static_cast<uint8_t>(name.size()));
    append(out, name);
    append_be32(out, static_cast<uint32_t>(value.size()));
    append(out, value);
  }
}

std::optional<std::string> parse_metadata(const uint8_t* data, size_t size, metadata& out) {
  size_t pos = 0;
  while (pos < size) {
    size_t name_len = data[pos++];
    if (name_len == 0)
      return "zero-length property name at offset " + std::to_string(pos - 1);
    if (name_len > size - pos)
      return "property name of " + std::to_string(name_len) + " bytes runs past the end";
    const uint8_t* name = data + pos;
    for (size_t i = 0; i < name_len; ++i)
      if (!is_name_char(name[i]))
        return "invalid character in property name " + peer_text(as_text(name, name_len));
    pos += name_len;
    if (size - pos < 4)
      return "truncated value length of property " + peer_text(as_text(name, name_len));
    uint32_t value_len = read_be32(data + pos);
    pos += 4;
    if (value_len > max_value_size)
      return "property value length exceeds 2^31-1";
    if (value_len > size - pos)
      return "value of property " + peer_text(as_text(name, name_len)) + " ("
             + std::to_string(value_len) + " bytes) runs past the end";
    out.add(std::string(as_text(name, name_len)), std::string(as_text(data + pos, value_len)));
    pos += value_len;
  }
  return std::nullopt;
}

bytes make_command(std::string_view name, const uint8_t* data, size_t size) {
  if (name.empty() || name.size() > 255)
    throw std::invalid_argument("command name must be 1..255 bytes: '" + printable(name) + "'");
  // Sized up front and written in place: one allocation, and no
  // push_back on an empty vector (g++ 12 -O3 misreports that path).
  bytes out(1 + name.size() + size);
  out[0] = static_cast<uint8_t>(name.size());
  std::memcpy(out.data() + 1, name.data(), name.size());
  if (size > 0)
    std::memcpy(out.data() + 1 + name.size(), data, size);
  return out;
}

std::optional<command_view> parse_command(const uint8_t* body, size_t size) {
  if (size == 0)
    return std::nullopt;
  size_t name_len = body[0];
  if (name_len == 0 || name_len > size - 1)
    return std::nullopt;
  command_view cmd;
  cmd.name = as_text(body + 1, name_len);
  cmd.data = body + 1 + name_len;
  cmd.size = size - 1 - name_len;
  return cmd;
}

bytes make_error_command(std::string_view reason) {
  if (reason.size() > 255)
    reason = reason.substr(0, 255);
  bytes data;
  data.reserve(1 + reason.size());
  data.push_back(static_cast<uint8_t>(reason.size()));
  append(data, reason);
  return make_command("ERROR", data.data(), data.size());
}

std::optional<std::string> parse_error_reason(const uint8_t* data, size_t size) {
  if (size == 0)
    return std::nullopt;
  size_t len = data[0];
  if (len > size - 1)
    return std::nullopt;
  // Bytes after the reason are ignored, as libzmq does: the ERROR is fatal either way.
  return std::string(as_text(data + 1, len));
}

std::string printable(std::string_view text, size_t max_len) {
  std::string out;
  size_t n = text.size() < max_len ? text.size() : max_len;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (text.size() > max_len)
    out += "...";
  return out;
}

} // namespace cafmq
