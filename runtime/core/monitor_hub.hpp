// Where a socket's monitor events fan out to their readers: blocking event streams (bounded
// queues) and user callbacks (run on a user_executor, never on the emitting thread). Events are
// rare (per connection, not per message), so a mutex is fine; emitting never waits for a reader,
// so monitoring never delays the actors or the I/O threads.
#pragma once

#include "monitor_event.hpp"
#include "user_executor.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace cafmq {

/// A bounded queue of events: push never blocks; when full it drops the oldest and counts it.
class event_queue {
public:
  explicit event_queue(size_t capacity) : capacity_(capacity) {}
  /// Any thread: appends `e`, dropping the oldest event if the queue is full.
  void push(const monitor_event& e);
  /// Waits until `deadline` for an event; nullopt if none came.
  std::optional<monitor_event> pop_until(std::chrono::steady_clock::time_point deadline);
  /// Events dropped because the queue was full, since it was made.
  uint64_t dropped() const;
  /// The bound.
  size_t capacity() const noexcept { return capacity_; }

private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<monitor_event> events_;
  size_t capacity_;
  uint64_t dropped_ = 0;
};

/// A socket's event fan-out. Shared by the socket, its actors and its event streams.
class monitor_hub {
public:
  using sink = std::function<void(const monitor_event&)>;
  /// True while someone listens: emitters skip building events otherwise. Lock-free.
  bool active() const noexcept { return sinks_count_.load(std::memory_order_relaxed) > 0; }
  /// Any thread: delivers `e` to every sink, in registration order. Plain sinks run on the
  /// calling thread (an actor, an I/O thread or the socket's user thread) and must not block;
  /// callbacks are queued to their executor.
  void emit(const monitor_event& e);
  /// Registers a sink that runs on the emitting thread; returns its id for remove_sink.
  uint64_t add_sink(sink fn);
  /// Registers a user callback that runs on `executor`, in the order the events were emitted,
  /// never on the emitting thread (null `executor`: inline, as add_sink). An event that finds
  /// the executor's queue full is dropped for this callback and counted (dropped()).
  uint64_t add_callback(sink fn, const user_executor_ptr& executor);
  /// Events dropped for callback `id` (0 for unknown ids and plain sinks).
  uint64_t dropped(uint64_t id) const;
  /// Unregisters a sink or callback (unknown ids are ignored). After it returns, it is not
  /// called again except by a call already running on another thread.
  void remove_sink(uint64_t id);
  /// A new connection id (unique within the socket, from 1).
  uint64_t next_connection_id() noexcept { return ++last_connection_; }

private:
  struct entry;
  void deliver(const std::shared_ptr<entry>& to, const monitor_event& e);

  mutable std::mutex mtx_;
  std::vector<std::pair<uint64_t, std::shared_ptr<entry>>> sinks_;
  std::atomic<size_t> sinks_count_{0};
  uint64_t last_sink_ = 0;
  std::atomic<uint64_t> last_connection_{0};
};

using monitor_hub_ptr = std::shared_ptr<monitor_hub>;

/// Waits until the callbacks queued on `executor` so far have run, at most
/// user_executor::default_stop_bound (at once on its own thread,
/// and when its queue is full or it is stopping). A context's close calls it, so that no
/// callback of its sockets runs after close returns (unless one outruns that bound).
void drain_callbacks(user_executor& executor);

/// A blocking stream of one socket's monitor events, from its creation on (socket::monitor()).
/// Backed by a bounded queue: a reader that falls behind loses the oldest events, counted in
/// dropped(), and never slows the socket down. May outlive its socket. Movable, not copyable.
class event_stream {
public:
  /// Registers a queue of `capacity` events (at least 1) on `hub`.
  event_stream(const monitor_hub_ptr& hub, size_t capacity);
  /// Unregisters.
  ~event_stream();
  event_stream(event_stream&&) noexcept = default;
  event_stream& operator=(event_stream&&) noexcept = default;
  event_stream(const event_stream&) = delete;
  event_stream& operator=(const event_stream&) = delete;

  /// The next event, waiting up to `timeout` (0: do not wait); nullopt if none came.
  std::optional<monitor_event> next(std::chrono::milliseconds timeout);
  /// Events lost because this stream's queue was full.
  uint64_t dropped() const;
  /// The queue bound.
  size_t capacity() const noexcept;

private:
  std::weak_ptr<monitor_hub> hub_;
  std::shared_ptr<event_queue> queue_;
  uint64_t sink_id_ = 0;
};

} // namespace cafmq
