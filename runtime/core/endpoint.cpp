// Endpoint parsing with messages that name the offending part.
#include "runtime/core/endpoint.hpp"

#include "runtime/core/error.hpp"

#include <charconv>

namespace cafmq {

namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw error{errc::invalid_endpoint, "invalid endpoint '" + std::string(text) + "': " + why};
}

std::string host_text(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// "host:port" of tcp (destination, or the source of "src;dst"); brackets enclose IPv6.
struct host_port {
  std::string host;
  uint16_t port = 0;
  bool any_port = false;
};

host_port parse_host_port(std::string_view text, std::string_view part, bool wildcards,
                          const char* what) {
  auto colon = part.rfind(':');
  if (colon == std::string_view::npos)
    fail(text, std::string("missing ':port' in the ") + what);
  auto host = part.substr(0, colon);
  auto port = part.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty())
    fail(text, std::string("missing host in the ") + what);
  if (host.find_first_of("[]") != std::string_view::npos)  // "[[]]" would print as "[]"
    fail(text, "'[' and ']' may only enclose an IPv6 address, e.g. tcp://[::1]:5555");
  if (host.find(';') != std::string_view::npos)
    fail(text, "at most one ';' (tcp://source:port;host:port)");
  if (host == "*" && !wildcards)
    fail(text, "'*' as host only works for bind; connect needs a host name or address");
  host_port out;
  out.host = std::string(host);
  if (port == "*") {
    if (!wildcards)
      fail(text, "'*' as port only works for bind");
    out.any_port = true;
    return out;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    fail(text, std::string("port must be a number from 0 to 65535 or '*' in the ") + what);
  if (value == 0 && !wildcards)
    fail(text, "cannot connect to port 0");
  out.port = static_cast<uint16_t>(value);
  out.any_port = value == 0;
  return out;
}

void parse_tcp(std::string_view text, std::string_view rest, bool for_bind, endpoint& ep) {
  auto semicolon = rest.find(';');
  if (semicolon != std::string_view::npos) {
    if (for_bind)
      fail(text, "a source address (tcp://source:port;host:port) is for connect only");
    auto src = parse_host_port(text, rest.substr(0, semicolon), true, "source address");
    ep.source = tcp_source{std::move(src.host), src.port};
    rest = rest.substr(semicolon + 1);
  }
  auto dst = parse_host_port(text, rest, for_bind, "address");
  ep.host = std::move(dst.host);
  ep.port = dst.port;
  ep.any_port = dst.any_port;
}

void parse_ipc(std::string_view text, std::string_view path, bool for_bind, endpoint& ep) {
  if (path.empty())
    fail(text, "missing path, e.g. ipc:///tmp/feed.sock, ipc://@name or (bind) ipc://*");
  if (path == "*" && !for_bind)
    fail(text, "'*' only works for bind; connect needs the path last_endpoint gave");
  if (path.find('\0') != std::string_view::npos)
    fail(text, "the path contains a NUL byte");
  if (path == "@")
    fail(text, "an abstract name needs at least one character after '@'");
  if (path.size() > max_ipc_path)
    fail(text, "the path has " + std::to_string(path.size()) + " bytes; a Unix socket path holds "
                 "at most " + std::to_string(max_ipc_path));
  ep.path = std::string(path);
}

void parse_inproc(std::string_view text, std::string_view name, endpoint& ep) {
  if (name.empty())
    fail(text, "missing name, e.g. inproc://workers");
  if (name.size() > max_inproc_name)
    fail(text, "the name has " + std::to_string(name.size()) + " characters; at most "
                 + std::to_string(max_inproc_name));
  ep.path = std::string(name);
}

} // namespace

std::string endpoint::to_string() const {
  if (transport != "tcp")
    return transport + "://" + path;
  std::string out = transport + "://";
  if (source)
    out += host_text(source->host) + ":" + std::to_string(source->port) + ";";
  return out + host_text(host) + ":" + (any_port ? std::string("*") : std::to_string(port));
}

endpoint parse_endpoint(std::string_view text, bool for_bind) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    fail(text, "expected transport://address, e.g. tcp://127.0.0.1:5555");
  endpoint ep;
  ep.transport = std::string(text.substr(0, sep));
  auto rest = text.substr(sep + 3);
  if (ep.transport == "tcp")
    parse_tcp(text, rest, for_bind, ep);
  else if (ep.transport == "ipc")
    parse_ipc(text, rest, for_bind, ep);
  else if (ep.transport == "inproc")
    parse_inproc(text, rest, ep);
  else
    throw error{errc::unsupported, "unsupported transport '" + ep.transport + "' in '"
                                     + std::string(text) + "' (supported: tcp, ipc, inproc)"};
  return ep;
}

} // namespace cafmq
