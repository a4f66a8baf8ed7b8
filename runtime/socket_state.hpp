// The user-thread half of a socket's state, shared by the files that implement cafmq::socket
// (socket.cpp: send/recv; socket_readiness.cpp: events, the readiness descriptor). Internal.
#pragma once

#include "patterns/socket_pattern.hpp"
#include "runtime/core/pipe_hub.hpp"
#include "runtime/core/poll_flags.hpp"
#include "runtime/core/readiness_hook.hpp"
#include "runtime/core/thread_check.hpp"
#include "runtime/socket.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace cafmq {

/// The properties of the peer a message came from, re-read from its pipe only when the source
/// pipe or its connection changes (no lock and no reference count per message).
struct peer_cache {
  peer_properties_ptr peer;
  uint64_t pipe_id = 0;
  uint64_t generation = 0;

  void update(const pipe* from) {
    if (from == nullptr) {
      peer.reset();
      pipe_id = 0;
      return;
    }
    uint64_t now = from->peer_generation();
    if (from->id() != pipe_id || now != generation) {
      peer = from->peer();
      pipe_id = from->id();
      generation = now;
    }
  }
};

struct socket::state {
  explicit state(const socket_options& o)
    : hub(std::make_shared<pipe_hub>(o.send_budget_bytes, o.recv_budget_bytes)) {
    hub->linger_ms.store(o.linger_ms, std::memory_order_relaxed);
  }

  pipe_hub_ptr hub;
  std::unique_ptr<patterns::socket_pattern> pattern;
  thread_check one_thread;  // see thread_check.hpp
  std::vector<pipe_ptr> fresh;
  std::vector<pipe_ptr> reconnected;
  full_policy policy = full_policy::block;  // resolved for the type
  bool budget_blocked = false;              // the last attempt stopped at the send budget
  // The fast send path: the pattern's sole_send_pipe(), learnt after a send went through the
  // pattern; forgotten whenever the pattern's pipes may change (absorb, the slow path).
  pipe* fast_pipe = nullptr;
  pipe* fast_in = nullptr;  // the same for recv: the pattern's sole_recv_pipe()
  // Counters owned by the user thread (no atomics on the hot path).
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t dropped_hwm = 0;     // drop_newest at the socket level (the pattern counts its own)
  uint64_t dropped_budget = 0;
  uint64_t discarded_on_close = 0;
  // The properties of the peer the last message came from (socket::last_peer()).
  peer_cache last_peer;

  // After a successful receive from `from` (the pattern's last_source(), or fast_in).
  void note_received(const pipe* from) {
    ++received;
    last_peer.update(from);
  }

  // The send budget's exact count: the bytes queued in every send ring the pattern holds. The
  // running count only overstates (rings learn of reads lazily, and forgotten pipes leave their
  // bytes in it), so this runs only when that count says the budget is used up.
  size_t recount_budget() {
    auto& b = *hub->send_budget();
    size_t used = 0;
    for (auto& p : pattern->pipes())
      used += p->outbound().writer_queued_bytes();
    b.used = used;
    return used;
  }

  // Sends through fast_pipe while nothing has changed since it was learnt: no pipe waiting to be
  // attached, the peer still attached, room in its ring. The pattern would do just that, so this
  // skips it: its virtual call, its loop and the budget check (10 % of a 16-byte stream's rate).
  bool try_fast_send(message& m) {
    if (fast_pipe == nullptr || hub->has_fresh() || fast_pipe->detached())
      return false;
    auto& ring = fast_pipe->outbound();
    if (!ring.try_push(m))
      return false;
    ring.flush();
    ++sent;
    return true;
  }
  // After a send through the pattern. A send budget needs the slow path's check on every send.
  void learn_fast_pipe() { fast_pipe = hub->send_budget() ? nullptr : pattern->sole_send_pipe(); }
  // recv's fast path: pops from fast_in while no pipe waits to be attached. A peer that left
  // still delivers what it sent, as the pattern's fair queue does; once drained, recv takes the
  // slow path, where the pattern forgets it.
  bool try_fast_recv(message& out) {
    if (fast_in == nullptr || hub->has_fresh() || !fast_in->inbound().try_pop(out))
      return false;
    note_received(fast_in);
    return true;
  }
  // After a receive through the pattern.
  void received_through_pattern() {
    note_received(pattern->last_source());
    fast_in = pattern->sole_recv_pipe();
  }

  // One send attempt: the socket's memory budget first, then the pattern's queues.
  patterns::send_result attempt(message& m) {
    auto& budget = hub->send_budget();
    budget_blocked = budget && budget->exhausted() && recount_budget() >= budget->limit;
    if (budget_blocked)
      return patterns::send_result::would_block;
    return pattern->try_send(m);
  }

  // Before sleeping in send: false if trying again may already succeed.
  bool prepare_wait_send() {
    if (!budget_blocked)
      return pattern->prepare_wait_send();
    auto limit = hub->send_budget()->limit;
    if (recount_budget() < limit)
      return false;
    bool waiting = false;  // sleep until any ring with queued bytes is read from
    for (auto& p : pattern->pipes())
      if (p->outbound().writer_wait_progress())
        waiting = true;
    // A read between the count and the arming shows in a second count (or has woken us already).
    return waiting && recount_budget() >= limit;
  }
  uint64_t drops_reported = 0;           // pattern->dropped() at the last messages_dropped event
  std::chrono::steady_clock::time_point last_drop_event{};   // rate limit: one event per drop_event_period

  // Takes pipes that sessions attached or reconnected since the last call.
  void absorb() {
    if (!hub->take_fresh(fresh, reconnected))
      return;
    fast_pipe = nullptr;
    fast_in = nullptr;
    for (auto& p : fresh)
      pattern->attach(std::move(p));
    for (auto& p : reconnected)
      pattern->reconnected(p);
    fresh.clear();
    reconnected.clear();
  }

  // -- readiness (runtime/socket_readiness.cpp) --
  // A message recv() returns before taking another from the pattern: events() takes one ahead
  // to know poll_in for sure, since a ring that holds messages may hold none for the user (a
  // SUB's filtered ones, a REQ's stale replies).
  std::optional<message> prefetched;
  // The readiness descriptor and callback, once asked for (owned by the hub's signaler).
  readiness_hook* hook = nullptr;
  poll_flags interest = poll_in;  // what makes the descriptor readable
  peer_cache prefetched_peer;  // the peer prefetched came from
};

} // namespace cafmq
