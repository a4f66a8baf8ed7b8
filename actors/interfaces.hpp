// The typed interfaces of cafmq's actors, declared in one place: each actor is exactly one
// caf::typed_actor, so a message an actor does not handle, or arguments in the wrong order, do
// not compile. Private to actors/ (includes CAF).
//
//   root supervisor --spawns--> socket actor --spawns--> listener --spawns--> session
//                                            \--spawns--> connector --spawns--> session
//   engine observer (I/O thread) --ready/closed--> session --session_ended--> its parent
//
// Deaths travel as caf::down_msg (every parent monitors its children); how a session ended
// travels as a typed `session_ended` message sent to the parent before it quits.
#pragma once

#include "actors/control.hpp"
#include "net/stream.hpp"
#include "net/transport.hpp"
#include "runtime/core/connection_end.hpp"
#include "runtime/core/supervision.hpp"

#include <caf/all.hpp>

#include <string>

namespace cafmq::actors {

/// Reply to bind/connect: code -1 on success.
struct control_reply {
  int code = -1;     ///< cafmq::errc as int, -1 on success
  std::string text;  ///< bound endpoint on success, else the error message
};

using bind_atom = caf::atom_constant<caf::atom("bind")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using accepted_atom = caf::atom_constant<caf::atom("accepted")>;
using accept_failed_atom = caf::atom_constant<caf::atom("acceptfail")>;
using dialed_atom = caf::atom_constant<caf::atom("dialed")>;
using redial_atom = caf::atom_constant<caf::atom("redial")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using spawn_atom = caf::atom_constant<caf::atom("spawnsock")>;
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using dial_timeout_atom = caf::atom_constant<caf::atom("dialtimeo")>;
using handshake_done_atom = caf::atom_constant<caf::atom("hsdone")>;
using evict_atom = caf::atom_constant<caf::atom("evict")>;
using session_ended_atom = caf::atom_constant<caf::atom("sessionend")>;
using rebind_atom = caf::atom_constant<caf::atom("rebind")>;
using escalate_atom = caf::atom_constant<caf::atom("escalate")>;
using bound_atom = caf::atom_constant<caf::atom("bound")>;
using unbind_atom = caf::atom_constant<caf::atom("unbind")>;
using unbound_atom = caf::atom_constant<caf::atom("unbound")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using options_atom = caf::atom_constant<caf::atom("options")>;

/// What every actor answers: a snapshot of itself and its children (actors/describe.hpp).
using describable = caf::typed_actor<caf::replies_to<describe_atom>::with<supervision_node>>;

/// One connection. The engine observer (the I/O bridge) sends `ready` (ZMTP minor, the peer's
/// Identity, its authenticated user id) and `closed` (how the connection ended); the listener
/// sends `evict` (reason) to its oldest pending handshake; its parent sends `stop` (how the
/// connection ends: the user unbound or disconnected its endpoint), after which it reports the
/// end as its own and quits.
using session_actor = caf::typed_actor<
  caf::reacts_to<ready_atom, int, std::string, std::string>,
  caf::reacts_to<closed_atom, connection_end>,
  caf::reacts_to<evict_atom, std::string>,
  caf::reacts_to<stop_atom, connection_end>,
  caf::replies_to<describe_atom>::with<supervision_node>>;

/// What a session's parent hears from it: how it ended (the end, whether its handshake was
/// done), sent just before it quits. A session that dies without saying so (exception, kill)
/// is treated as ended with code `internal`.
using session_parent = caf::typed_actor<
  caf::reacts_to<session_ended_atom, session_actor, connection_end, bool>>;

/// One bound endpoint: accepts connections (from the I/O thread: a stream, or why accept
/// failed), supervises their sessions. `unbind` (the user's socket::unbind) closes the acceptor
/// and the accepted connections; the answer comes once the port is free and the sessions are
/// gone (`unbound` is the I/O thread's word that the acceptor closed), then the listener quits.
/// `evict` (its own timer, while above max_pending_handshakes) closes idle pending handshakes.
using listener_actor = caf::typed_actor<
  caf::replies_to<unbind_atom>::with<bool>,
  caf::reacts_to<unbound_atom>,
  caf::reacts_to<accepted_atom, net::stream_ptr>,
  caf::reacts_to<accept_failed_atom, connection_end>,
  caf::reacts_to<handshake_done_atom, session_actor>,
  caf::reacts_to<evict_atom>,
  caf::reacts_to<session_ended_atom, session_actor, connection_end, bool>,
  caf::replies_to<describe_atom>::with<supervision_node>>;

/// One connect endpoint: dials (results tagged with a generation, stale ones ignored), redials,
/// supervises the session of its connection. `disconnect` (the user's socket::disconnect) stops
/// dialling and closes the connection; the answer comes once its session is gone, then the
/// connector quits.
using connector_actor = caf::typed_actor<
  caf::replies_to<disconnect_atom>::with<bool>,
  caf::reacts_to<dialed_atom, uint64_t, net::stream_ptr, connection_end>,
  caf::reacts_to<dial_timeout_atom, uint64_t>,
  caf::reacts_to<redial_atom, uint64_t>,
  caf::reacts_to<session_ended_atom, session_actor, connection_end, bool>,
  caf::replies_to<describe_atom>::with<supervision_node>>;

/// One socket: the user's control calls (bind endpoint; connect endpoint, routing id), the
/// restart tick of a listener or connector that died (its endpoint, its child id), and a
/// connector's escalation (its endpoint, the code and text of why it gave up) before it quits.
/// `unbind` and `disconnect` stop the listener or connectors of an endpoint for good (never
/// restarted); `options` replaces the options later binds and connects use.
using socket_actor = caf::typed_actor<
  caf::replies_to<bind_atom, std::string>::with<control_reply>,
  caf::replies_to<connect_atom, std::string, std::string>::with<control_reply>,
  caf::replies_to<unbind_atom, std::string>::with<control_reply>,
  caf::replies_to<disconnect_atom, std::string>::with<control_reply>,
  caf::replies_to<options_atom, socket_options>::with<control_reply>,
  caf::reacts_to<bound_atom, uint64_t, net::listener_ptr, net::bind_failure>,
  caf::reacts_to<rebind_atom, std::string, uint64_t>,
  caf::reacts_to<escalate_atom, std::string, event_reason, std::string>,
  caf::replies_to<describe_atom>::with<supervision_node>>;

/// The root supervisor: opens socket actors, describes the whole tree.
using root_actor = caf::typed_actor<
  caf::replies_to<spawn_atom, socket_args>::with<socket_actor>,
  caf::replies_to<describe_atom>::with<supervision_node>>;

} // namespace cafmq::actors

// Local messages only: none of these is ever serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::net::stream_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::net::listener_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::net::bind_failure)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::connection_end)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::event_reason)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::supervision_node)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::socket_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::control_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::socket_options)
