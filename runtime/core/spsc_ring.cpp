// The ring's memory ordering. Messages become visible through their slot's `seq` (release store
// at flush, acquire load by the reader). Wake-ups: tail_ is published seq_cst before reading
// reader_sleeping_, and a reader announcing sleep stores its flag seq_cst before re-reading tail_,
// so one of them sees the other (no lost wake-up). (An asymmetric variant with membarrier(2) on
// the sleeping side was measured: no gain for small messages, a loss for large ones, whose rings
// empty after every message and so pay an inter-processor interrupt each time.)
// Reader: head_ is published with a plain release store per message; a writer that found the ring
// full is woken at the low-water mark when the reader sees its flag, and at the latest when the
// reader finds the ring empty or reaches the end of a read batch, behind a full fence (a writer
// sleeps only when it waits for the reader, so the reader reaches that check while it reads).
// The hot paths are inline in the header.
#include "runtime/core/spsc_ring.hpp"

#include <algorithm>
#include <new>
#include <thread>

namespace cafmq {

namespace {

size_t round_up_pow2(size_t n) {
  size_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

} // namespace

spsc_ring::spsc_ring(size_t hwm, std::shared_ptr<waker> wake_reader,
                     std::shared_ptr<waker> wake_writer, size_t byte_limit,
                     std::shared_ptr<byte_budget> budget)
  : hwm_(hwm == 0 ? 1 : hwm),
    max_slots_(round_up_pow2(hwm_)),
    low_water_(hwm_ / 2),
    byte_limit_(byte_limit == 0 ? no_byte_limit : byte_limit),
    budget_(std::move(budget)),
    wake_reader_(std::move(wake_reader)),
    wake_writer_(std::move(wake_writer)) {
  auto* first = new segment(std::min(initial_slots, max_slots_), 0, 0);
  reader_seg_.store(first, std::memory_order_relaxed);
  w_room_ = std::min(hwm_, first->mask + 1);
  w_seg_ = w_pub_seg_ = w_oldest_ = r_seg_ = first;
  w_slots_ = r_slots_ = first->slots.get();
  w_mask_ = r_mask_ = first->mask;
}

spsc_ring::~spsc_ring() {
  if (gate_ != nullptr)
    gate_->remove(this);  // waits for a recount on the I/O thread that may be looking at us
  for (segment* s = w_oldest_; s != nullptr;) {
    segment* next = s->next.load(std::memory_order_acquire);
    delete s;
    s = next;
  }
}

size_t spsc_ring::allocated_slots() const noexcept {
  size_t n = 0;
  for (const segment* s = w_oldest_; s != nullptr; s = s->next.load(std::memory_order_relaxed))
    n += s->mask + 1;
  return n;
}

bool spsc_ring::grow() noexcept {
  if (w_tail_ - w_head_cache_ < w_room_ || w_room_ >= hwm_
      || w_bytes_ - w_head_bytes_ >= byte_limit_)
    return false;  // full for a reason more slots do not change
  segment* next = nullptr;
  try {
    next = new segment(std::min((w_mask_ + 1) * 2, max_slots_), w_tail_, w_bytes_);
  } catch (const std::bad_alloc&) {
    return false;  // full at the slots we have: the writer waits for the reader as at the HWM
  }
  w_seg_->next.store(next, std::memory_order_release);  // before any of its slots is published
  if (w_published_ == w_tail_)
    w_pub_seg_ = next;  // nothing staged in the old segment
  w_seg_ = next;
  w_slots_ = next->slots.get();
  w_mask_ = next->mask;
  w_seg_start_ = next->start;
  w_room_ = std::min(hwm_, next->mask + 1);
  return true;
}

uint64_t spsc_ring::bytes_read_through(uint64_t head) noexcept {
  // head was loaded before reader_seg_ below, and every segment kept holds positions from
  // w_oldest_->start on, which head has reached (the reader announced that segment after its
  // head_ got there): so head - 1 is in a segment kept, or is w_oldest_->start - 1.
  uint64_t read = w_oldest_->start_bytes;
  for (segment* s = w_oldest_; s != nullptr; s = s->next.load(std::memory_order_relaxed)) {
    if (head <= s->start) {
      if (head == s->start)
        read = s->start_bytes;
      break;
    }
    read = s->slots[(head - 1) & s->mask].end_bytes;  // head - 1 is here or further on
  }
  for (segment* now = reader_seg_.load(std::memory_order_acquire); w_oldest_ != now;) {
    segment* next = w_oldest_->next.load(std::memory_order_relaxed);
    if (w_pub_seg_ == w_oldest_)
      w_pub_seg_ = next;  // all of it was published (the reader read it all)
    delete w_oldest_;
    w_oldest_ = next;
  }
  return read;
}

bool spsc_ring::follow_link() noexcept {
  segment* next = r_seg_->next.load(std::memory_order_acquire);
  if (next == nullptr || r_head_ != next->start)
    return false;  // no newer segment, or this one still has messages to come
  r_seg_ = next;
  r_slots_ = next->slots.get();
  r_mask_ = next->mask;
  reader_seg_.store(next, std::memory_order_release);  // the writer may free the old one now
  return true;
}

void spsc_ring::gate_on(std::shared_ptr<recv_budget> b) {
  gate_ = b.get();
  budget_ = std::move(b);
  if (gate_ != nullptr)
    gate_->add(this);
}

void spsc_ring::publish() noexcept {
  // Staged messages may span the segments of a growth: each seq goes to its own segment.
  while (w_pub_seg_ != w_seg_ && w_published_ < w_tail_) {
    segment* next = w_pub_seg_->next.load(std::memory_order_relaxed);
    if (w_published_ == next->start) {
      w_pub_seg_ = next;
      continue;
    }
    w_pub_seg_->slots[w_published_ & w_pub_seg_->mask].seq.store(w_published_ + 1,
                                                                 std::memory_order_release);
    ++w_published_;
  }
  for (; w_published_ < w_tail_; ++w_published_)
    w_slots_[w_published_ & w_mask_].seq.store(w_published_ + 1, std::memory_order_release);
  tail_bytes_.store(w_bytes_, std::memory_order_release);  // once per flush, beside tail_
  tail_.store(w_tail_, std::memory_order_seq_cst);
  if (reader_sleeping_.load(std::memory_order_seq_cst)
      && reader_sleeping_.exchange(false, std::memory_order_seq_cst) && wake_reader_)
    wake_reader_->wake();
}

bool spsc_ring::writer_sleep() noexcept {
  // Wake when both marks are met again: half the HWM and half the byte limit.
  wake_count_.store(low_water_, std::memory_order_relaxed);
  uint64_t keep = byte_limit_ == no_byte_limit ? w_bytes_ : byte_limit_ / 2;
  wake_bytes_.store(w_bytes_ - std::min<uint64_t>(w_bytes_, keep), std::memory_order_relaxed);
  writer_sleeping_.store(true, std::memory_order_seq_cst);
  refresh(head_.load(std::memory_order_seq_cst));
  if (!looks_full()) {
    writer_sleeping_.store(false, std::memory_order_relaxed);
    // Room of our own: if the socket's receive budget is what stops us, wait for that instead.
    return gate_exhausted() && gate_->wait(wake_writer_);
  }
  return true;
}

bool spsc_ring::arm_budget_wake() noexcept {
  refresh(head_.load(std::memory_order_acquire));
  uint64_t queued = w_bytes_ - w_head_bytes_;
  if (queued == 0)
    return false;
  // Earlier than (or as early as) a wake its own writer may have asked for: any count will do.
  wake_count_.store(hwm_, std::memory_order_relaxed);
  wake_bytes_.store(w_head_bytes_ + (queued + 1) / 2, std::memory_order_relaxed);
  writer_sleeping_.store(true, std::memory_order_seq_cst);
  return true;
}

spsc_ring::discard_result spsc_ring::discard_oldest() noexcept {
  if (!discardable_)
    return discard_result::empty;
  flush();  // the oldest may still be staged
  discarding_.store(true, std::memory_order_seq_cst);
  if (reader_active_.load(std::memory_order_seq_cst)) {
    discarding_.store(false, std::memory_order_release);
    return discard_result::reader_busy;  // it is taking messages right now
  }
  // The reader is between batches and cannot start one until we are done: we are the reader.
  auto took = discard_result::empty;
  if (slot* s = published_slot(); s != nullptr) {
    s->msg.clear();
    r_bytes_ = s->end_bytes;
    ++r_head_;
    head_.store(r_head_, std::memory_order_release);
    took = discard_result::discarded;
  }
  discarding_.store(false, std::memory_order_release);
  return took;
}

void spsc_ring::enter_read() noexcept {
  reader_active_.store(true, std::memory_order_seq_cst);
  // A writer inside discard_oldest() finishes within a few dozen instructions (unless it was
  // preempted right there: then yield to it).
  for (int spins = 0; discarding_.load(std::memory_order_seq_cst); ++spins) {
    if (spins >= 64)
      std::this_thread::yield();
  }
}

bool spsc_ring::writer_wait_progress() noexcept {
  uint64_t seen = w_head_cache_;
  refresh(head_.load(std::memory_order_acquire));
  if (w_head_cache_ != seen || w_tail_ == w_head_cache_)
    return false;
  wake_count_.store(hwm_, std::memory_order_relaxed);  // any read wakes us
  wake_bytes_.store(0, std::memory_order_relaxed);
  writer_sleeping_.store(true, std::memory_order_seq_cst);
  refresh(head_.load(std::memory_order_seq_cst));
  if (w_head_cache_ != seen) {
    writer_sleeping_.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

bool spsc_ring::readable() noexcept {
  return published_slot() != nullptr;
}

void spsc_ring::wake_sleeping_writer() noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (writer_sleeping_.load(std::memory_order_relaxed)
      && writer_sleeping_.exchange(false, std::memory_order_seq_cst)) {
    if (wake_writer_)
      wake_writer_->wake();
    if (gate_ != nullptr)
      gate_->wake_waiters();  // writers paused on the socket's receive budget
  }
}

bool spsc_ring::reader_sleep() noexcept {
  reader_sleeping_.store(true, std::memory_order_seq_cst);
  // tail_ rather than the slot: the writer's flush stores tail_ and then reads our flag, so one
  // of the two sides sees the other (no lost wake-up).
  if (tail_.load(std::memory_order_seq_cst) != r_head_) {
    reader_sleeping_.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

} // namespace cafmq
