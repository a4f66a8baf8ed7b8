// The typed message vocabulary of cafmq's actors (CAF 0.17 atoms) and the local-only handle
// types that travel in messages. Private to actors/.
#pragma once

#include "actors/control.hpp"
#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "net/tcp_listener.hpp"

#include <caf/all.hpp>

namespace cafmq::actors {

using bind_atom = caf::atom_constant<caf::atom("bind")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using accepted_atom = caf::atom_constant<caf::atom("accepted")>;
using dialed_atom = caf::atom_constant<caf::atom("dialed")>;
using redial_atom = caf::atom_constant<caf::atom("redial")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using spawn_atom = caf::atom_constant<caf::atom("spawnsock")>;

/// Everything a session needs besides its stream.
struct session_args {
  socket_args socket;
  net::io_loop* loop = nullptr;
  pipe_ptr pipe;         ///< connector sessions reuse the connector's pipe
  bool own_pipe = false; ///< a pipe per connection: attach on ready, detach (discarding) on close
  bool reconnection = false;       ///< a reused pipe had a connection before this one
  std::string connect_routing_id;  ///< ROUTER: the peer's routing id chosen by connect()
};

/// True when each connection gets a pipe of its own, attached once the handshake is done: ROUTER
/// and STREAM route by the peer's identity, and ZMQ_IMMEDIATE queues only to live connections.
/// Otherwise a connector's pipe exists from connect() on and outlives reconnects (libzmq).
inline bool pipe_per_connection(const socket_args& s) {
  return s.type == socket_type::router || s.type == socket_type::stream || s.options.immediate;
}

/// A new pipe for a peer of socket `s`.
inline pipe_ptr new_pipe(const socket_args& s) {
  return std::make_shared<pipe>(s.options.limits(), s.hub->user_waker(), s.hub->next_pipe_id(),
                                s.hub->send_budget());
}

/// Reply to bind/connect: empty `error` on success.
struct control_reply {
  int code = -1;       ///< cafmq::errc as int, -1 on success
  std::string text;    ///< bound endpoint on success, else the error message
};

/// A session ended for a reason after which reconnecting is pointless (ERROR, protocol
/// violation): the exit reason carries this code so the connector stops.
constexpr uint8_t permanent_failure = 1;
/// The error category of cafmq's actor exit reasons.
/// Forgets the child whose down message this is, from a supervisor's container of children.
template <class Children>
void forget_child(Children& children, const caf::down_msg& dm) {
  for (auto i = children.begin(); i != children.end(); ++i)
    if (*i == dm.source) {
      children.erase(i);
      return;
    }
}

inline caf::error make_permanent_failure() {
  return caf::error{permanent_failure, caf::atom("cafmq")};
}
inline bool is_permanent_failure(const caf::error& e) {
  return e && e.category() == caf::atom("cafmq") && e.code() == permanent_failure;
}

/// Spawns a socket actor (the root supervisor monitors it).
caf::actor spawn_socket(caf::event_based_actor* parent, socket_args args, net::io_loop* loop);
/// Spawns a session on a connected stream, monitored by `parent` (listener or connector).
caf::actor spawn_session(caf::event_based_actor* parent, session_args args, net::stream_ptr s);
/// Spawns a listener for an already bound TCP listener, monitored by `parent`.
caf::actor spawn_listener(caf::event_based_actor* parent, session_args args,
                          std::shared_ptr<net::tcp_listener> listener);
/// Spawns a connector that dials `endpoint` and reconnects, monitored by `parent`.
caf::actor spawn_connector(caf::event_based_actor* parent, session_args args,
                           std::string endpoint);

} // namespace cafmq::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::net::stream_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::socket_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::session_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::control_reply)
