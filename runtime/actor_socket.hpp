// The CAF actor face: a socket that is an actor of the user's actor system (docs/actors.md).
// Opt-in: include <cafmq/actor_socket.hpp> (which includes CAF 0.17) and link CAF::core;
// cafmq.hpp stays free of CAF for everyone else.
//
// actor_socket::spawn() opens a socket inside a new actor that monitors its owner and closes the
// socket (with its linger) when the owner terminates. Incoming messages go to a receiver (the
// owner unless told otherwise) as `std::vector<cafmq::received>` batches, and only against
// credit the receiver grants with `credit_atom, n`: never more than the granted credit is in
// flight to its mailbox; the rest stays in the socket's queues under the RCVHWM, and TCP pushes
// back on the peer.
#pragma once

#include "socket.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cafmq {

/// One received message and the properties of the peer that sent it (null where the socket
/// type cannot tell: socket::last_peer()).
struct received {
  message msg;
  peer_properties_ptr peer;
};

/// What the face's errors mean (category atom("cafmq"); render them with actor_error_text()).
enum class actor_errc : uint8_t {
  would_block = 1,   ///< send without a wait: the socket cannot queue it now (HWM, no peer)
  timed_out,         ///< a waiting send found no room, or a request no reply, in time
  too_many_waiting,  ///< the bound on waiting sends / requests is reached: refused at once
  closed,            ///< the socket closed (close_atom, owner gone, context destroyed)
  socket_error,      ///< the socket refused the call (cafmq::error): the text says why
};

/// A caf::error of the face, with `what` as its context (shown by actor_error_text()).
inline caf::error make_error(actor_errc code, std::string what = {}) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("cafmq"),
                    caf::make_message(std::move(what))};
}

/// True if `e` is the face's error `code`.
inline bool is_error(const caf::error& e, actor_errc code) {
  return e && e.category() == caf::atom("cafmq") && e.code() == static_cast<uint8_t>(code);
}

/// A readable line for an error of the face (or any other caf::error).
std::string actor_error_text(const caf::error& e);

// Atoms of the face (caf's own connect_atom, subscribe_atom, unsubscribe_atom and close_atom
// serve for those calls).
using credit_atom = caf::atom_constant<caf::atom("zmqcredit")>;
using send_atom = caf::atom_constant<caf::atom("zmqsend")>;
using request_atom = caf::atom_constant<caf::atom("zmqrequest")>;
using bind_atom = caf::atom_constant<caf::atom("zmqbind")>;

} // namespace cafmq

// Local messages only (never serialized between processes).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::received)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cafmq::received>)

namespace cafmq {

/// The socket actor's interface. Every call may also answer with an error (actor_errc).
using socket_actor = caf::typed_actor<
  /// Grants `n` (> 0) more messages to the receiver; the face never sends more than granted.
  /// `n <= 0` grants nothing and is logged (warn, component "actor_socket").
  caf::reacts_to<credit_atom, int>,
  /// Queues `msg` now, or answers would_block (and keeps nothing).
  caf::replies_to<send_atom, message>::with<caf::ok_atom>,
  /// Queues `msg`, waiting up to `timeout` for room; answers ok, timed_out, or
  /// too_many_waiting when max_waiting sends already wait. Sends keep their order.
  caf::replies_to<send_atom, message, caf::timespan>::with<caf::ok_atom>,
  /// REQ or DEALER: sends `msg` and answers with the reply, waiting up to `timeout` for each of
  /// `attempts` tries (REQ's retry: a late reply to an earlier try is never taken for a later
  /// one's); timed_out after the last. Requests never block the actor.
  caf::replies_to<request_atom, message, caf::timespan, int>::with<message>,
  /// Binds; answers the endpoint with its real port ("tcp://127.0.0.1:41234").
  caf::replies_to<bind_atom, std::string>::with<std::string>,
  caf::replies_to<caf::connect_atom, std::string>::with<caf::ok_atom>,
  /// SUB: subscribes to / unsubscribes from a prefix.
  caf::replies_to<caf::subscribe_atom, std::string>::with<caf::ok_atom>,
  caf::replies_to<caf::unsubscribe_atom, std::string>::with<caf::ok_atom>,
  /// Closes with the socket's linger (-1, the default: until every queued message is sent,
  /// however long a gone peer takes), then the actor quits (normally). Answers how many queued
  /// messages were discarded. Calls already in its mailbox are answered `closed`.
  caf::replies_to<caf::close_atom>::with<uint64_t>>;

/// How the face runs (the socket's own options are socket_options).
struct actor_socket_options {
  /// Gets the batches (and must grant the credit); default: the owner.
  caf::actor receiver;
  /// The most messages in one batch.
  size_t batch_max = 256;
  /// Sends waiting for room, and requests waiting for their turn or reply, held by the face at
  /// most (each kind): beyond, too_many_waiting. All else stays under the socket's HWMs.
  size_t max_waiting = 64;
};

namespace actor_socket {

/// Spawns a socket actor owned by `owner` (any actor of the system: `self`, or a
/// scoped_actor's `self.ptr()`), on a thread of its own (caf::detached), so that its blocking
/// calls (bind, connect, close with linger) never hold a scheduler thread. It monitors the
/// owner and closes the socket with its linger when the owner terminates (linger -1 waits for
/// peers forever and holds up the actor system's shutdown: set a finite linger_ms). `ctx` may run on
/// this system or its own, and may be destroyed at any time, even before the actor first runs:
/// the actor then quits with `closed` (it holds the context's control plane, not the context).
/// A REQ socket gets req_relaxed and req_correlate (request_atom's retries need them). Throws
/// cafmq::error for invalid `options` (they are checked here); a socket that fails to open
/// makes the actor quit with that error.
socket_actor spawn(caf::local_actor* owner, context& ctx, socket_type type,
                   socket_options options = {}, actor_socket_options face = {});

} // namespace actor_socket

} // namespace cafmq
