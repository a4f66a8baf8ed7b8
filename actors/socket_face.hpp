// The socket actor behind runtime/actor_socket.hpp: its state and the steps its handlers share.
// It runs detached (a thread of its own); every socket call is made from its handlers, in turn.
#pragma once

#include "runtime/actor_socket.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

namespace cafmq::actors::face {

/// From the readiness callback (an I/O thread): the socket may have become ready.
using wake_atom = caf::atom_constant<caf::atom("zmqwake")>;
/// A waiting send's or a request attempt's deadline, by its id.
using expire_atom = caf::atom_constant<caf::atom("zmqexpire")>;

using impl_actor =
  socket_actor::extend<caf::reacts_to<wake_atom>, caf::reacts_to<expire_atom, uint64_t>>;

struct waiting_send {
  uint64_t id;
  message msg;
  caf::typed_response_promise<caf::ok_atom> promise;
};

struct pending_request {
  uint32_t id;         // DEALER: the envelope's request id
  message msg;         // as sent (DEALER: with its envelope)
  caf::timespan timeout;
  int attempts_left;
  uint64_t timer = 0;  // the current attempt's expire id; 0: not started
  bool sent = false;
  caf::typed_response_promise<message> promise;
};

struct state {
  std::unique_ptr<socket> sock;
  socket_type type = socket_type::pair;
  caf::actor receiver;
  caf::actor_addr owner;
  actor_socket_options face;
  uint64_t credit = 0;                 // messages the receiver may still be sent
  std::deque<received> stash;          // DEALER: received while matching replies, not yet granted
  std::deque<waiting_send> sends;      // in order; only the head is tried
  std::deque<pending_request> requests;  // REQ: the head is active; DEALER: all are
  uint64_t next_timer = 0;
  uint32_t next_request = 0;
  std::shared_ptr<std::atomic<bool>> wake_pending = std::make_shared<std::atomic<bool>>(false);
  std::vector<message> scratch;             // recv_batch's output, reused
  std::vector<peer_properties_ptr> scratch_peers;
  static inline const char* name = "cafmq.socket";

  state() = default;
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  /// However the actor ended (killed by a link too): what still waits fails with `closed`,
  /// then the socket closes with its linger, on the actor's own thread.
  ~state();
};

using pointer = impl_actor::stateful_pointer<state>;

/// Moves what the socket allows now (waiting sends, requests, credited deliveries), then arms
/// the readiness callback for what it does not; wakes itself again if work remains.
void pump(pointer self);
/// Asks the actor to pump (once, however often called before it does).
void wake(pointer self);

// Sends (socket_face_sends.cpp).
caf::result<caf::ok_atom> send_now(pointer self, message& msg);
caf::result<caf::ok_atom> send_waiting(pointer self, message& msg, caf::timespan timeout);
bool flush_sends(pointer self);
bool expire_send(pointer self, uint64_t id);

// Requests (socket_face_requests.cpp).
caf::result<message> start_request(pointer self, message& msg, caf::timespan timeout, int attempts);
bool flush_requests(pointer self);
bool expire_request(pointer self, uint64_t id);
/// DEALER: whether `m` answers a pending request (then fulfilled and consumed).
bool answer_request(pointer self, message& m);
/// REQ: takes the active request's reply if it came.
bool take_reply(pointer self);
/// Whether a reply is awaited (the socket must be read for it).
bool awaiting_reply(const state& st);
/// Whether a started request still waits for room to be sent.
bool unsent_request(const state& st);

// Delivery (socket_face_delivery.cpp).
bool deliver(pointer self);

/// Fails every waiting send and request with `why` (the actor is about to quit).
void fail_all(state& st, const caf::error& why);
/// The caf::error for a cafmq::error.
caf::error to_caf_error(const error& e);

} // namespace cafmq::actors::face
