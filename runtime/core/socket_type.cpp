// Socket type names, read from the descriptor table.
#include "runtime/core/socket_type.hpp"

#include "runtime/core/socket_descriptor.hpp"

#include <cctype>
#include <string>

namespace cafmq {

std::string_view zmtp_name(socket_type t) noexcept {
  return descriptor_of(t).zmtp_name;
}

std::string_view cli_name(socket_type t) noexcept {
  return descriptor_of(t).cli_name;
}

std::optional<socket_type> parse_socket_type(std::string_view name) noexcept {
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i <= static_cast<int>(socket_type::stream); ++i) {
    auto t = static_cast<socket_type>(i);
    if (cli_name(t) == lower)
      return t;
  }
  return std::nullopt;
}

} // namespace cafmq
