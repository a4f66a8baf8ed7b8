// Bounded single-producer/single-consumer ring of messages with the ypipe wake-up rule: the writer
// wakes the reader only on the empty -> non-empty edge of a flush; the reader wakes a writer that
// found the ring full only once it has drained to the low-water mark. Capacity = the HWM.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/waker.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace cafmq {

/// One direction of a pipe. Writer-side and reader-side calls each come from one thread.
class spsc_ring {
public:
  /// `hwm` messages at most (at least 1); wakers may be null.
  spsc_ring(size_t hwm, std::shared_ptr<waker> wake_reader, std::shared_ptr<waker> wake_writer);

  // -- writer side --
  /// True when the ring holds `hwm` messages (refreshes the reader's position when needed).
  bool full() noexcept {
    if (w_tail_ - w_head_cache_ < hwm_)
      return false;
    w_head_cache_ = head_.load(std::memory_order_acquire);
    return w_tail_ - w_head_cache_ >= hwm_;
  }
  /// Stages `m` (invisible to the reader until flush); false, leaving `m` untouched, when full.
  bool try_push(message& m) noexcept {
    if (full())
      return false;
    slots_[w_tail_ & mask_].msg = std::move(m);
    ++w_tail_;
    return true;
  }
  /// Publishes staged messages; wakes the reader if it sleeps.
  void flush() noexcept {
    if (w_published_ != w_tail_)
      publish();
  }
  /// Messages staged and not yet published by flush().
  size_t unpublished() const noexcept { return w_tail_ - w_published_; }
  /// Announces the writer will sleep until space frees; false if space is already there.
  bool writer_sleep() noexcept;

  // -- reader side --
  /// Moves the oldest published message into `out`; false when empty.
  bool try_pop(message& out) noexcept {
    if (front() == nullptr)
      return false;
    out = std::move(slots_[r_head_ & mask_].msg);
    advance();
    return true;
  }
  /// The oldest published message, read in place; nullptr when empty. Valid until pop_front().
  const message* front() noexcept {
    auto& s = slots_[r_head_ & mask_];
    if (s.seq.load(std::memory_order_acquire) != r_head_ + 1) {
      wake_sleeping_writer();  // drained: a writer that announced sleep must hear about it
      return nullptr;
    }
    return &s.msg;
  }
  /// Drops the message front() returned (releasing its frames).
  void pop_front() noexcept {
    slots_[r_head_ & mask_].msg.clear();
    advance();
  }
  /// True when a message is published and unread.
  bool readable() noexcept;
  /// Announces the reader will sleep until a flush; false if a message is already there.
  bool reader_sleep() noexcept;

  // -- either side --
  /// Messages published and not yet read (a snapshot).
  size_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }
  /// The high-water mark.
  size_t hwm() const noexcept { return hwm_; }

private:
  void publish() noexcept;
  void advance() noexcept {
    ++r_head_;
    head_.store(r_head_, std::memory_order_release);
    // Cheap early wake at the low-water mark; the fenced check on empty is the guarantee.
    if (writer_sleeping_.load(std::memory_order_relaxed)
        && tail_.load(std::memory_order_relaxed) - r_head_ <= low_water_)
      wake_sleeping_writer();
  }
  void wake_sleeping_writer() noexcept;

  size_t hwm_;
  size_t mask_;
  size_t low_water_;
  // One cache line per slot, and `seq` (the slot's position + 1 once published) beside the
  // message: the reader learns of a message from the line that carries it, so no shared counter
  // moves between the cores per message.
  struct alignas(64) slot {
    message msg;
    std::atomic<uint64_t> seq{0};
  };
  std::vector<slot> slots_;
  std::shared_ptr<waker> wake_reader_;
  std::shared_ptr<waker> wake_writer_;

  alignas(64) std::atomic<uint64_t> tail_{0};  // published by the writer; read on slow paths
  std::atomic<bool> reader_sleeping_{false};
  alignas(64) uint64_t w_tail_ = 0;            // writer-local
  uint64_t w_head_cache_ = 0;
  uint64_t w_published_ = 0;
  alignas(64) std::atomic<uint64_t> head_{0};  // published by the reader
  std::atomic<bool> writer_sleeping_{false};
  alignas(64) uint64_t r_head_ = 0;            // reader-local
};

} // namespace cafmq
