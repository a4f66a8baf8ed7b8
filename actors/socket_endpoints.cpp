// socket::unbind and socket::disconnect in the socket actor (docs/socket-options.md): the
// listener or connectors of an endpoint are forgotten first (never restarted nor reported
// failed), their pipes detached, then asked to stop; the user's call returns once they are done.
#include "actors/socket_children.hpp"

#include "runtime/core/endpoint.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/log.hpp"

#include <algorithm>
#include <memory>

namespace cafmq::actors {

namespace {

// The user's endpoint strings, or a refusal naming what was wrong: one that does not parse, or
// (unbind) a wildcard port, which names no endpoint once bound (libzmq: use ZMQ_LAST_ENDPOINT).
std::optional<control_reply> refused_endpoint(socket_self self, bool bound, const std::string& ep,
                                              const char* call) {
  try {
    auto parsed = parse_endpoint(ep, bound);
    bool wildcard = parsed.transport == "tcp" ? parsed.any_port || parsed.port == 0
                                              : parsed.transport == "ipc" && parsed.path == "*";
    if (!bound || !wildcard)
      return std::nullopt;
    std::string real;
    for (auto& [id, c] : self->state.children)
      if (c.is_listener && c.requested == ep)
        real += (real.empty() ? "" : ", ") + c.endpoint;
    return control_reply{static_cast<int>(errc::invalid_endpoint),
                         std::string("cannot ") + call + " " + ep + ": a wildcard port names no "
                           "endpoint; pass the endpoint last_endpoint() reported"
                           + (real.empty() ? std::string() : " (" + real + ")")};
  } catch (const error& e) {
    return control_reply{static_cast<int>(e.code()), std::string("cannot ") + call + ": " + e.what()};
  }
}

// The listeners (`bound`) or connectors of `ep`: as bind reported it (real port) or as the
// user gave it to bind or connect.
std::vector<uint64_t> children_of(socket_self self, bool bound, const std::string& ep) {
  std::vector<uint64_t> ids;
  for (auto& [id, c] : self->state.children)
    if (c.is_listener == bound && (c.endpoint == ep || c.requested == ep))
      ids.push_back(id);
  return ids;
}

// The refusal of an endpoint that is not bound (connected): libzmq's ENOENT.
control_reply not_in_use(socket_self self, bool bound, const std::string& ep) {
  std::string in_use;
  for (auto& [id, c] : self->state.children)
    if (c.is_listener == bound)
      in_use += (in_use.empty() ? "" : ", ") + c.endpoint;
  return {static_cast<int>(errc::invalid_endpoint),
          std::string("cannot ") + (bound ? "unbind " : "disconnect ") + ep + ": the socket is not "
            + (bound ? "bound to it" : "connected to it")
            + (in_use.empty() ? " (nor to any endpoint)" : " (" + std::string(bound ? "bound" : "connected")
                                                             + ": " + in_use + ")")};
}

// socket::unbind and socket::disconnect: forgets the children `ids` (so nothing restarts them or
// reports them failed), detaches their pipes (what was queued for the peer is discarded, as
// zmq_disconnect does) and stops them. Answers once each has closed its connections.
caf::result<control_reply> stop_children(socket_self self, const std::vector<uint64_t>& ids,
                                         const std::string& ep) {
  auto reply = self->make_response_promise<control_reply>();
  auto left = std::make_shared<size_t>(1);  // one for this function: none may answer before it ends
  auto one_done = [self, reply, left, ep](const caf::actor_addr& stopped) mutable {
    auto& v = self->state.stopping;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const describable& a) { return a.address() == stopped; }),
            v.end());
    if (--*left == 0)
      reply.deliver(control_reply{-1, ep});
  };
  for (auto id : ids) {
    auto c = std::move(self->state.children.at(id));
    self->state.children.erase(id);
    drop_pipe(self, c);
    if (!c.running) {  // waiting for a restart, or binding: nothing runs to report its end
      auto ev = event_of(event_kind::closed, c.endpoint);
      ev.reason = c.is_listener ? "listener stopped (socket::unbind)" : "connector stopped (socket::disconnect)";
      ev.reason_code = event_reason::local;
      emit(self->state.args, ev);
      continue;
    }
    ++*left;
    self->state.stopping.push_back(c.running);  // ended with the socket if it closes meanwhile
    auto addr = c.running.address();
    auto done = [one_done, addr](bool) mutable { one_done(addr); };
    auto on_error = [one_done, addr](caf::error&) mutable { one_done(addr); };  // it died meanwhile
    if (c.is_listener)
      self->request(caf::actor_cast<listener_actor>(c.running), caf::infinite, unbind_atom::value)
        .then(done, on_error);
    else
      self->request(caf::actor_cast<connector_actor>(c.running), caf::infinite, disconnect_atom::value)
        .then(done, on_error);
  }
  one_done(caf::actor_addr{});
  return reply;
}

} // namespace

caf::result<control_reply> stop_endpoint(socket_self self, bool bound, const std::string& ep) {
  const char* call = bound ? "unbind" : "disconnect";
  if (auto refused = refused_endpoint(self, bound, ep, call))
    return *refused;
  auto ids = children_of(self, bound, ep);
  if (ids.empty())
    return not_in_use(self, bound, ep);
  log::write(log::level::info, "socket", ep + ": " + call + " (socket::" + call + ")");
  return stop_children(self, ids, ep);
}

} // namespace cafmq::actors
