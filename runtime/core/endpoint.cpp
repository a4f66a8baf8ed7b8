// Endpoint parsing with messages that name the offending part.
#include "runtime/core/endpoint.hpp"

#include "runtime/core/error.hpp"

#include <charconv>

namespace cafmq {

namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw error{errc::invalid_endpoint, "invalid endpoint '" + std::string(text) + "': " + why};
}

} // namespace

std::string endpoint::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  return transport + "://" + h + ":" + (any_port ? std::string("*") : std::to_string(port));
}

endpoint parse_endpoint(std::string_view text, bool for_bind) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    fail(text, "expected transport://address, e.g. tcp://127.0.0.1:5555");
  endpoint ep;
  ep.transport = std::string(text.substr(0, sep));
  if (ep.transport != "tcp")
    throw error{errc::unsupported, "unsupported transport '" + ep.transport + "' in '"
                                     + std::string(text) + "' (supported: tcp)"};
  auto rest = text.substr(sep + 3);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos)
    fail(text, "missing ':port'");
  auto host = rest.substr(0, colon);
  auto port = rest.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty())
    fail(text, "missing host");
  if (host.find_first_of("[]") != std::string_view::npos)  // "[[]]" would print as "[]"
    fail(text, "'[' and ']' may only enclose an IPv6 address, e.g. tcp://[::1]:5555");
  if (host == "*" && !for_bind)
    fail(text, "'*' as host only works for bind; connect needs a host name or address");
  ep.host = std::string(host);
  if (port == "*") {
    if (!for_bind)
      fail(text, "'*' as port only works for bind");
    ep.any_port = true;
    return ep;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    fail(text, "port must be a number from 0 to 65535 or '*'");
  if (value == 0 && !for_bind)
    fail(text, "cannot connect to port 0");
  ep.port = static_cast<uint16_t>(value);
  ep.any_port = value == 0;
  return ep;
}

} // namespace cafmq
