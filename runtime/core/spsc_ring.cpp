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
  auto* first = new segment(std::min(initial_slots, max_slots_), 0);
  w_allocated_ = first->mask + 1;
  w_seg_ = w_pub_seg_ = r_seg_ = first;
  w_slots_ = r_slots_ = first->slots.get();
  w_mask_ = r_mask_ = first->mask;
  set_stop();
}

spsc_ring::~spsc_ring() {
  if (gate_ != nullptr) {
    gate_->remove(this);  // waits for a recount on another thread that may be looking at us
    credit_to(w_bytes_);  // what it still holds leaves the socket's budget with it
  }
  for (segment* s = r_seg_; s != nullptr;) {  // the reader freed those before its own
    segment* next = s->next.load(std::memory_order_acquire);
    delete s;
    s = next;
  }
}

bool spsc_ring::grow() noexcept {
  if (w_tail_ < w_stop_ || w_tail_ - w_head_cache_ >= hwm_
      || w_bytes_ - w_head_bytes_ >= byte_limit_)
    return false;  // not full, or full for a reason more slots do not change
  // Twice the last segment, but no more than the HWM still lets queue (rounded up to a power
  // of two): the slots of all segments stay near the HWM's, whatever segment the reader is in.
  size_t capacity = std::min((w_mask_ + 1) * 2, round_up_pow2(hwm_ - (w_tail_ - w_head_cache_)));
  segment* next = nullptr;
  try {
    next = new segment(capacity, w_tail_);
  } catch (const std::bad_alloc&) {
    return false;  // full at the slots we have: the writer waits for the reader as at the HWM
  }
  w_allocated_ += capacity;
  w_seg_->next.store(next, std::memory_order_release);  // before any of its slots is published
  if (w_published_ == w_tail_)
    w_pub_seg_ = next;  // nothing staged in the old segment
  w_seg_ = next;
  w_slots_ = next->slots.get();
  w_mask_ = next->mask;
  w_seg_start_ = next->start;
  set_stop();
  return true;
}

bool spsc_ring::follow_link() noexcept {
  segment* next = r_seg_->next.load(std::memory_order_acquire);
  if (next == nullptr || r_head_ != next->start)
    return false;  // no newer segment, or this one still has messages to come
  // Every message of r_seg_ is read, so its writer published it in full and is done with it
  // (publish() moves on before it stores the last seq; the link store above was its last touch).
  segment* left = r_seg_;
  r_seg_ = next;
  r_slots_ = next->slots.get();
  r_mask_ = next->mask;
  freed_slots_.fetch_add(left->mask + 1, std::memory_order_release);
  delete left;
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
  // Once the last seq of a segment is stored, the reader may read it all and free the segment:
  // w_pub_seg_ moves on first and the writer does not touch the segment again.
  while (w_pub_seg_ != w_seg_ && w_published_ < w_tail_) {
    segment* seg = w_pub_seg_;
    segment* next = seg->next.load(std::memory_order_relaxed);
    if (w_published_ + 1 == next->start)
      w_pub_seg_ = next;
    seg->slots[w_published_ & seg->mask].seq.store(w_published_ + 1, std::memory_order_release);
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
  if (!looks_full() || grow()) {
    // Room of our own: if the socket's receive budget is what stops us, wait for that instead.
    // writer_sleeping_ stays set: a writer of another ring of the socket may have armed this one
    // for the budget meanwhile (arm_budget_wake), and clearing it would lose that wake-up if this
    // writer then never waits again. At worst the reader wakes this writer once for nothing.
    return gate_exhausted() && gate_->wait(wake_writer_);
  }
  return true;
}

void spsc_ring::arm_budget_wake() noexcept {
  uint64_t read = head_bytes_.load(std::memory_order_acquire);
  uint64_t published = tail_bytes_.load(std::memory_order_acquire);
  if (published <= read)
    return;  // holds nothing published: its reader will not come by
  // Earlier than (or as early as) a wake its own writer may have asked for: any count will do.
  wake_count_.store(hwm_, std::memory_order_relaxed);
  wake_bytes_.store(read + (published - read + 1) / 2, std::memory_order_relaxed);
  writer_sleeping_.store(true, std::memory_order_seq_cst);
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
    head_bytes_.store(r_bytes_, std::memory_order_release);
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
