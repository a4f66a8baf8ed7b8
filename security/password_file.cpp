// Password file lines and a timing-safe comparison for the PLAIN check.
#include "security/password_file.hpp"

#include "runtime/core/error.hpp"

namespace cafmq::security {

password_table parse_password_file(std::string_view text, std::string_view source) {
  password_table out;
  size_t line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto l = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!l.empty() && l.back() == '\r')
      l.remove_suffix(1);
    auto first = l.find_first_not_of(" \t");
    if (first == std::string_view::npos || l[first] == '#')
      continue;
    auto eq = l.find('=');
    auto where = std::string(source) + ":" + std::to_string(line) + ": ";
    if (eq == std::string_view::npos)
      throw error{errc::invalid_argument, where + "expected user=password"};
    if (eq == 0)
      throw error{errc::invalid_argument, where + "empty user name"};
    out[std::string(l.substr(0, eq))] = std::string(l.substr(eq + 1));
  }
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
  // Walk the longer one whole, so the time says nothing about the first differing byte.
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

} // namespace cafmq::security
