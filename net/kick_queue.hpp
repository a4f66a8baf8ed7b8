// Wake-ups ("kicks") of I/O engines from user threads, without Asio's scheduler lock.
//
// asio::post from a user thread locks the io_context's scheduler mutex, which the I/O thread
// holds much of the time it runs, and interrupts epoll with an epoll_ctl: under a stream of
// 16-byte messages half of all futex calls were that lock changing hands. A kick instead pushes
// the engine onto a lock-free stack and, only when the stack was empty, writes an eventfd that
// the I/O thread waits on; the I/O thread takes the whole stack at once. A kick to an engine
// already queued costs one atomic exchange: kicks coalesce until the engine runs.
#pragma once

#include <atomic>
#include <memory>

namespace cafmq::net {

class kick_queue;

/// Something the I/O thread runs when kicked (an engine).
class kickable {
public:
  virtual ~kickable() = default;
  /// On the I/O thread: look at the pipe again. Kicks made while this runs are not lost: the
  /// target is unqueued before it runs, so they queue it again. Must not throw: an engine keeps
  /// its own exception boundary (engine_boundary.hpp).
  virtual void on_kick() noexcept = 0;

private:
  friend class kick_queue;
  std::atomic<bool> queued_{false};
  kickable* next_ = nullptr;              // the stack's link, while queued
  std::shared_ptr<kickable> keep_alive_;  // the queue's reference, while queued
};

/// One per I/O loop. kick() is safe from any thread; the rest runs on the I/O thread.
class kick_queue {
public:
  /// `io_context` is the loop's asio::io_context (opaque here, like io_loop::native()).
  explicit kick_queue(void* io_context);
  ~kick_queue();
  kick_queue(const kick_queue&) = delete;
  kick_queue& operator=(const kick_queue&) = delete;

  /// Runs `target->on_kick()` on the I/O thread soon, once however often it is kicked meanwhile
  /// (the queue keeps `target` alive until then).
  void kick(std::shared_ptr<kickable> target) noexcept;

private:
  struct impl;
  void arm();
  void run_queued();

  std::atomic<kickable*> head_{nullptr};
  std::unique_ptr<impl> impl_;
};

} // namespace cafmq::net
