// SUB/XSUB's sending half: subscriptions go to every publisher and are never lost. A pipe whose
// send ring is full keeps them pending, in order, and they are retried on every socket call (and
// when the ring drains: prepare_wait arms its writer wake-up). The pending list stays bounded by
// the number of distinct prefixes: repeats are counted, and a long list is compacted to the net
// change per prefix. XSUB's other messages are dropped for a full pipe (RFC 29) and counted.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"

#include <deque>
#include <utility>
#include <vector>

namespace cafmq::patterns {

class upstream_pipes {
public:
  /// A subscription message to send `repeat` times.
  struct batch {
    message msg;
    size_t repeat = 1;
  };

  /// Adds a publisher and sends it `subscriptions`.
  void attach(pipe_ptr p, const std::vector<batch>& subscriptions);
  /// Sends `subscriptions` again to `p` (a new connection behind the same pipe).
  void resend(const pipe_ptr& p, const std::vector<batch>& subscriptions);
  /// Sends a subscribe/cancel message to every publisher.
  void send_subscription(const message& m);
  /// Sends any other message to every publisher whose ring has room (and nothing pending).
  void send_data(const message& m);
  /// Pushes what is pending where rings have room; forgets detached pipes.
  void retry();
  /// Before sleeping: arms the writer wake-up of pipes with pending subscriptions; false if one
  /// of them has room already.
  bool prepare_wait();
  /// Subscription messages still waiting for room (summed over pipes, repeats included).
  size_t pending() const noexcept;
  /// Data messages dropped for a full publisher queue.
  uint64_t dropped() const noexcept { return dropped_; }

private:
  struct entry {
    pipe_ptr pipe;
    std::deque<batch> pending;
    size_t compact_at = 1024;
  };
  void enqueue(entry& e, const message& m, size_t repeat);
  static void drain(entry& e);
  static void compact(entry& e);

  std::vector<entry> pipes_;
  uint64_t dropped_ = 0;
};

} // namespace cafmq::patterns
