// The typed message vocabulary of cafmq's actors (CAF 0.17 atoms) and the local-only handle
// types that travel in messages. Private to actors/.
#pragma once

#include "actors/control.hpp"
#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "net/transport.hpp"

#include <caf/all.hpp>

#include <optional>

namespace cafmq::actors {

using bind_atom = caf::atom_constant<caf::atom("bind")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using accepted_atom = caf::atom_constant<caf::atom("accepted")>;
using dialed_atom = caf::atom_constant<caf::atom("dialed")>;
using redial_atom = caf::atom_constant<caf::atom("redial")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using spawn_atom = caf::atom_constant<caf::atom("spawnsock")>;
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using dial_timeout_atom = caf::atom_constant<caf::atom("dialtimeo")>;
using handshake_done_atom = caf::atom_constant<caf::atom("hsdone")>;
using evict_atom = caf::atom_constant<caf::atom("evict")>;

/// Everything a session needs besides its stream.
struct session_args {
  socket_args socket;
  net::io_loop* loop = nullptr;
  pipe_ptr pipe;         ///< connector sessions reuse the connector's pipe
  bool own_pipe = false; ///< a pipe per connection: attach on ready, detach (discarding) on close
  bool reconnection = false;       ///< a reused pipe had a connection before this one
  std::string connect_routing_id;  ///< ROUTER: the peer's routing id chosen by connect()
  std::string endpoint;            ///< the bound or connected endpoint (for events)
  uint64_t connection_id = 0;      ///< the id this connection's monitor events carry
  caf::actor listener;             ///< accepted sessions: told when the handshake is done
};

/// Emits a monitor event of socket `s` (cheap when nobody listens).
inline void emit(const socket_args& s, const monitor_event& e) {
  if (s.monitor)
    s.monitor->emit(e);
}

/// An event of `kind` about `endpoint`.
inline monitor_event event_of(event_kind kind, std::string endpoint) {
  monitor_event e;
  e.kind = kind;
  e.endpoint = std::move(endpoint);
  return e;
}

/// True when each connection gets a pipe of its own, attached once the handshake is done: ROUTER
/// and STREAM route by the peer's identity, and ZMQ_IMMEDIATE queues only to live connections.
/// Otherwise a connector's pipe exists from connect() on and outlives reconnects (libzmq).
inline bool pipe_per_connection(const socket_args& s) {
  return s.type == socket_type::router || s.type == socket_type::stream || s.options.immediate;
}

/// A new pipe for a peer of socket `s`.
inline pipe_ptr new_pipe(const socket_args& s) {
  return std::make_shared<pipe>(s.options.limits(), s.hub->user_waker(), s.hub->next_pipe_id(),
                                s.hub->send_budget(), s.hub->receive_budget());
}

/// Reply to bind/connect: empty `error` on success.
struct control_reply {
  int code = -1;       ///< cafmq::errc as int, -1 on success
  std::string text;    ///< bound endpoint on success, else the error message
};

/// How a session ended, carried to its supervisor in the exit reason (category "cafmq").
struct session_end {
  bool permanent = false;       ///< ERROR, protocol violation, failed handshake: never redial
  bool handshake_done = false;  ///< the connection got past its handshake
  event_reason reason = event_reason::io;
};

inline caf::error make_session_end(const session_end& e) {
  auto code = static_cast<uint8_t>(0x80 | (e.permanent ? 0x40 : 0) | (e.handshake_done ? 0x20 : 0)
                                   | (static_cast<uint8_t>(e.reason) & 0x1f));
  return caf::error{code, caf::atom("cafmq")};
}

/// The session_end in a session's exit reason; nullopt for other reasons (killed, shut down).
inline std::optional<session_end> as_session_end(const caf::error& e) {
  if (!e || e.category() != caf::atom("cafmq") || (e.code() & 0x80) == 0)
    return std::nullopt;
  return session_end{(e.code() & 0x40) != 0, (e.code() & 0x20) != 0,
                     static_cast<event_reason>(e.code() & 0x1f)};
}

/// Forgets the child whose down message this is, from a supervisor's container of children.
template <class Children>
void forget_child(Children& children, const caf::down_msg& dm) {
  for (auto i = children.begin(); i != children.end(); ++i)
    if (*i == dm.source) {
      children.erase(i);
      return;
    }
}

/// Spawns a socket actor (the root supervisor monitors it).
caf::actor spawn_socket(caf::event_based_actor* parent, socket_args args, net::io_loop* loop);
/// Spawns a session on a connected stream, monitored by `parent` (listener or connector).
caf::actor spawn_session(caf::event_based_actor* parent, session_args args, net::stream_ptr s);
/// Spawns a listener for an already bound transport listener, monitored by `parent`.
caf::actor spawn_listener(caf::event_based_actor* parent, session_args args,
                          net::listener_ptr listener);
/// Spawns a connector that dials `endpoint` and reconnects, monitored by `parent`.
caf::actor spawn_connector(caf::event_based_actor* parent, session_args args,
                           const std::string& endpoint);

} // namespace cafmq::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::net::stream_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::socket_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::session_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::control_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::supervision_node)
