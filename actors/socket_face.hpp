// The socket actor behind runtime/actor_socket.hpp: its state and the steps its handlers share.
// It runs detached (a thread of its own); every socket call is made from its handlers, in turn.
#pragma once

#include "runtime/actor_socket.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

namespace cafmq::actors::face {

/// From the readiness callback (an I/O thread): the socket may have become ready.
using wake_atom = caf::atom_constant<caf::atom("zmqwake")>;
/// The face's one timer: a tick (by its id) for the earliest deadline of its waiting sends and
/// request attempts.
using expire_atom = caf::atom_constant<caf::atom("zmqexpire")>;

/// Ends the actor with the given reason, once the messages ahead of it were answered.
using end_atom = caf::atom_constant<caf::atom("zmqend")>;

using deadline_clock = std::chrono::steady_clock;

using impl_actor =
  socket_actor::extend<caf::reacts_to<wake_atom>, caf::reacts_to<expire_atom, uint64_t>,
                       caf::reacts_to<end_atom, caf::error>>;

struct waiting_send {
  deadline_clock::time_point deadline;
  message msg;
  caf::typed_response_promise<caf::ok_atom> promise;
};

struct pending_request {
  uint32_t id;         // DEALER: the envelope's request id
  message msg;         // as sent (DEALER: with its envelope)
  caf::timespan timeout;
  int attempts_left;
  bool started = false;  // an attempt runs (REQ: only the head's)
  deadline_clock::time_point deadline;  // the current attempt's
  bool sent = false;
  caf::typed_response_promise<message> promise;
};

struct state {
  std::unique_ptr<socket> sock;
  socket_type type = socket_type::pair;
  caf::actor receiver;
  caf::actor_addr owner;
  actor_socket_options face;
  bool ending = false;                 // closed or failed: calls answer `refusal`
  caf::error refusal;
  uint64_t credit = 0;                 // messages the receiver may still be sent
  std::deque<received> stash;          // DEALER: received while matching replies, not yet granted
  std::deque<waiting_send> sends;      // in order; only the head is tried
  std::deque<pending_request> requests;  // REQ: the head is active; DEALER: all are
  std::vector<std::pair<uint64_t, deadline_clock::time_point>> ticks;  // scheduled, not yet arrived
  uint64_t next_tick = 0;
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

// The timer (socket_face_timer.cpp).
/// Makes sure a tick comes by the earliest deadline: schedules one only when no tick in flight
/// is due by then, so ticks in flight stay few (bounded) whatever the rate of sends and requests.
void arm_timer(pointer self);
/// A tick arrived: takes what came in time, then expires what is due, and re-arms.
void on_tick(pointer self, uint64_t id);

// Sends (socket_face_sends.cpp).
caf::result<caf::ok_atom> send_now(pointer self, message& msg);
caf::result<caf::ok_atom> send_waiting(pointer self, message& msg, caf::timespan timeout);
bool flush_sends(pointer self);
/// Fails the waiting sends whose deadline passed by `now`; true if any.
bool expire_sends(pointer self, deadline_clock::time_point now);

// Requests (socket_face_requests.cpp).
caf::result<message> start_request(pointer self, message& msg, caf::timespan timeout, int attempts);
bool flush_requests(pointer self);
/// Retries or fails the attempts whose deadline passed by `now` (after reading what came in
/// time); true if any.
bool expire_requests(pointer self, deadline_clock::time_point now);
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
/// DEALER with requests in flight: reads for their replies, holding other messages in the
/// stash (at most batch_max).
bool read_for_replies(pointer self);

/// Fails every waiting send and request with `why` (the actor is about to quit).
void fail_all(state& st, const caf::error& why);
/// The caf::error for a cafmq::error.
caf::error to_caf_error(const error& e);

} // namespace cafmq::actors::face
