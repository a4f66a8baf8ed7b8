// The transport table and the calls that go through it.
#include "net/transport.hpp"

#include "net/ipc_transport.hpp"
#include "net/tcp_transport.hpp"

#include <array>

namespace cafmq::net {

namespace {

const std::array<const transport*, 2> transports{&tcp_transport, &ipc_transport};

bind_failure refused_endpoint(errc code, std::string detail) {
  return {code, event_reason::bad_endpoint, std::move(detail)};
}

} // namespace

const transport* find_transport(std::string_view scheme) noexcept {
  for (auto* t : transports)
    if (t->scheme == scheme)
      return t;
  return nullptr;
}

std::string transport_schemes() {
  std::string out;
  for (auto* t : transports)
    out += (out.empty() ? "" : ", ") + std::string(t->scheme);
  return out;
}

void bind_endpoint(io_loop& home, const std::string& text, bind_fn done, bool ipv6) {
  endpoint ep;
  try {
    ep = parse_endpoint(text, true);
  } catch (const error& e) {
    return done(nullptr, refused_endpoint(e.code(), e.what()));
  }
  ep.ipv6 = ipv6;
  auto* t = find_transport(ep.transport);
  if (!t)
    return done(nullptr,
                refused_endpoint(errc::unsupported,
                                 "cannot bind " + text + ": unsupported transport '" + ep.transport
                                   + "' (supported: " + transport_schemes() + ")"));
  t->bind(home, ep, std::move(done));
}

cancel_fn dial_endpoint(io_loop& home, const endpoint& ep, dial_fn done) {
  auto* t = find_transport(ep.transport);
  if (!t) {
    done(nullptr, permanent_end(event_reason::bad_endpoint,
                                "cannot connect to " + ep.to_string() + ": unsupported transport '"
                                  + ep.transport + "' (supported: " + transport_schemes() + ")"));
    return [] {};
  }
  return t->dial(home, ep, std::move(done));
}

} // namespace cafmq::net
