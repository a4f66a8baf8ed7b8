// Socket type names.
#include "runtime/core/socket_type.hpp"

#include <array>
#include <cctype>
#include <string>

namespace cafmq {

namespace {

struct names {
  socket_type type;
  std::string_view upper;
  std::string_view lower;
};

constexpr std::array<names, 12> table{{
  {socket_type::pair, "PAIR", "pair"},       {socket_type::pub, "PUB", "pub"},
  {socket_type::sub, "SUB", "sub"},          {socket_type::req, "REQ", "req"},
  {socket_type::rep, "REP", "rep"},          {socket_type::dealer, "DEALER", "dealer"},
  {socket_type::router, "ROUTER", "router"}, {socket_type::pull, "PULL", "pull"},
  {socket_type::push, "PUSH", "push"},       {socket_type::xpub, "XPUB", "xpub"},
  {socket_type::xsub, "XSUB", "xsub"},       {socket_type::stream, "STREAM", "stream"},
}};

} // namespace

std::string_view zmtp_name(socket_type t) noexcept {
  for (auto& n : table)
    if (n.type == t)
      return n.upper;
  return "?";
}

std::string_view cli_name(socket_type t) noexcept {
  for (auto& n : table)
    if (n.type == t)
      return n.lower;
  return "?";
}

std::optional<socket_type> parse_socket_type(std::string_view name) noexcept {
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& n : table)
    if (n.lower == lower)
      return n.type;
  return std::nullopt;
}

} // namespace cafmq
