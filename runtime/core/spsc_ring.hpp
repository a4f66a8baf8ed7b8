// Bounded single-producer/single-consumer ring of messages with the ypipe wake-up rule: the writer
// wakes the reader only on the empty -> non-empty edge of a flush; the reader wakes a writer that
// found the ring full only once it has drained to the low-water mark. Capacity = the HWM in
// messages, and optionally a limit in bytes: the ring is full when either is reached. The byte
// limit is checked before a push, so one message larger than the limit still passes (into a ring
// holding less than the limit, an empty one at least): a ring never refuses a message forever.
//
// Byte accounting costs no new shared line per message: the writer keeps its running byte total
// to itself and stores it (the bytes through this message) in the slot beside the message, in the
// cache line it writes anyway; the reader copies it into head_bytes_, beside head_ in the line it
// writes anyway. When the writer's stale view says "full" it re-reads head_ (as it already did for
// the HWM) and head_bytes_. Other threads (a socket's receive budget recount) read only these.
//
// Two opt-in extras, set up before the ring is shared:
// * A receive budget (gate_on): the ring's pushes also count against a socket-wide budget and
//   the ring is "full" while that budget is used up (recv_budget.hpp).
// * Discarding (allow_discard, for full_policy drop_oldest): the writer may remove the oldest
//   message the reader has not taken. The reader reads in place (front() ... pop_front()), so
//   the writer may act as the reader only while no read is under way: the reader brackets each
//   batch of reads with begin_read/end_read, and the two sides exclude each other with a pair of
//   flags (Dekker: each stores its own flag seq_cst, then loads the other's). That costs one
//   flag store and load per batch, not per message, and nothing at all on rings without it.
//
// Slots are allocated as messages queue, not up front: the ring starts with initial_slots slots
// and, when the writer finds them all taken below the HWM, it links a segment twice as large
// and writes on there. The reader finishes the old segment, follows the link (it looks only when
// it finds no message, so not per message) and frees the segment it left: the writer never looks
// back at a segment it has published in full (it learns the bytes read from head_bytes_, not from
// old slots), so a burst's segments go as soon as it is read, even if the writer stays idle. A new
// segment is cut to what the HWM still lets queue (rounded up to a power of two): with a stalled
// reader the ring holds the HWM rounded up (a fixed ring's size), not 4 + 8 + ... + that, and
// otherwise about the HWM's slots plus those read in the reader's segment. Growing costs the
// writer one allocation per doubling and nothing once the ring has the size its use needs.
#pragma once

#include "byte_budget.hpp"
#include "recv_budget.hpp"
#include "message.hpp"
#include "waker.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

namespace cafmq {

/// One direction of a pipe. Writer-side and reader-side calls each come from one thread.
class spsc_ring {
public:
  /// `hwm` messages at most (at least 1); `byte_limit` bytes (0: no byte limit); wakers may be
  /// null. A `budget` (writer side, may be null) is charged with the bytes pushed and credited
  /// with those seen read.
  spsc_ring(size_t hwm, std::shared_ptr<waker> wake_reader, std::shared_ptr<waker> wake_writer,
            size_t byte_limit = 0, std::shared_ptr<byte_budget> budget = nullptr);
  ~spsc_ring();
  spsc_ring(const spsc_ring&) = delete;
  spsc_ring& operator=(const spsc_ring&) = delete;

  // -- set-up, before the ring is shared --
  /// Charges `b` with the bytes pushed and counts the ring full while `b` is used up (a socket's
  /// receive budget; replaces a budget given to the constructor).
  void gate_on(std::shared_ptr<recv_budget> b);
  /// Lets the writer discard_oldest(); the reader must then bracket its reads (read_guard).
  void allow_discard() noexcept { discardable_ = true; }
  /// See allow_discard().
  bool discardable() const noexcept { return discardable_; }

  // -- writer side --
  /// True when the ring holds `hwm` messages or at least `byte_limit` bytes (refreshes the
  /// reader's position when needed).
  bool full() noexcept {
    if (!looks_full() && !gate_exhausted())
      return false;
    refresh(head_.load(std::memory_order_acquire));
    if (looks_full() && !grow())
      return true;
    return gate_exhausted() && gate_->recount_exhausted();  // the slow path of a budget
  }
  /// Stages `m` (invisible to the reader until flush); false, leaving `m` untouched, when full.
  bool try_push(message& m) noexcept {
    if (full())
      return false;
    size_t bytes = m.byte_size();
    w_slots_[w_tail_ & w_mask_].msg = std::move(m);
    commit_push(bytes);
    return true;
  }
  /// try_push of a one-frame message copied from `data`, built in its slot (no message moves:
  /// the engine's path for short messages).
  bool try_push_copy(const uint8_t* data, size_t size) {
    if (full())
      return false;
    w_slots_[w_tail_ & w_mask_].msg.assign(data, size);
    commit_push(size);
    return true;
  }
  /// Bytes pushed and not yet seen read (refreshes the reader's position).
  size_t writer_queued_bytes() noexcept {
    refresh(head_.load(std::memory_order_acquire));
    return static_cast<size_t>(w_bytes_ - w_head_bytes_);
  }
  /// Announces the writer will sleep until the reader takes its next message (a socket waiting
  /// for its memory budget); false if the reader took one since the writer last looked, or the
  /// ring is empty (nothing to wait for).
  bool writer_wait_progress() noexcept;
  /// Publishes staged messages; wakes the reader if it sleeps.
  void flush() noexcept {
    if (w_published_ != w_tail_)
      publish();
  }
  /// Messages staged and not yet published by flush().
  size_t unpublished() const noexcept { return w_tail_ - w_published_; }
  /// Announces the writer will sleep until space frees; false if space is already there. On a
  /// gated ring with room of its own but the budget used up, the writer waits for the budget.
  bool writer_sleep() noexcept;
  /// What discard_oldest() did.
  enum class discard_result { discarded, empty, reader_busy };
  /// drop_oldest (allow_discard): removes the oldest message the reader has not taken, staged
  /// ones published first. `empty`: nothing to discard (or the ring is not discardable);
  /// `reader_busy`: the reader is taking messages this instant (room is coming: try again).
  discard_result discard_oldest() noexcept;

  // -- reader side --
  /// On a discardable ring, every read (front, pop_front, try_pop, reader_sleep...) happens
  /// between begin_read() and end_read(); no-ops otherwise. See read_guard.
  void begin_read() noexcept {
    if (discardable_)
      enter_read();
  }
  /// See begin_read().
  void end_read() noexcept {
    if (discardable_)
      reader_active_.store(false, std::memory_order_release);
  }
  /// begin_read() ... end_read() over a scope.
  class read_guard {
  public:
    explicit read_guard(spsc_ring& r) noexcept : ring_(r) { ring_.begin_read(); }
    ~read_guard() { ring_.end_read(); }
    read_guard(const read_guard&) = delete;
    read_guard& operator=(const read_guard&) = delete;

  private:
    spsc_ring& ring_;
  };
  /// Moves the oldest published message into `out`; false when empty.
  bool try_pop(message& out) noexcept {
    if (front() == nullptr)
      return false;
    out = std::move(r_slots_[r_head_ & r_mask_].msg);
    advance();
    return true;
  }
  /// The oldest published message, read in place; nullptr when empty. Valid until pop_front().
  const message* front() noexcept {
    slot* s = published_slot();
    if (s == nullptr) {
      wake_sleeping_writer();  // drained: a writer that announced sleep must hear about it
      return nullptr;
    }
    return &s->msg;
  }
  /// Reader: the end of one read batch, what the writer has published so far (see
  /// front_before()). Reads the writer's line, so once per batch rather than per message. A
  /// message whose slot is visible counts even if tail_, stored after the slots, still lags.
  uint64_t batch_end() noexcept {
    uint64_t end = tail_.load(std::memory_order_acquire);
    return end > r_head_ ? end : r_head_ + (readable() ? 1 : 0);
  }
  /// front(), but nullptr from `end` (a batch_end()) on, even if more was published since.
  /// A reader that follows a writer publishing message by message reads each slot just as the
  /// writer fills the next: both then wait on a cache-line transfer for every message, which
  /// halved the rate when transfers between the cores were slow (docs/benchmarks.md, session 8).
  /// At `end` it wakes a writer that announced sleep, as front() does on an empty ring: the
  /// low-water wake in advance() can miss a writer that is just announcing sleep.
  const message* front_before(uint64_t end) noexcept {
    if (r_head_ < end)
      return front();
    wake_sleeping_writer();
    return nullptr;
  }
  /// Drops the message front() returned (releasing its frames).
  void pop_front() noexcept {
    r_slots_[r_head_ & r_mask_].msg.clear();
    advance();
  }
  /// True when a message is published and unread.
  bool readable() noexcept;
  /// Announces the reader will sleep until a flush; false if a message is already there.
  bool reader_sleep() noexcept;

  // -- either side --
  /// Messages published and not yet read (a snapshot). The reader may take a message before the
  /// writer stores tail_, so head_ can be ahead of tail_: that reads as 0, not a wrapped count.
  size_t size() const noexcept {
    uint64_t tail = tail_.load(std::memory_order_acquire);
    uint64_t head = head_.load(std::memory_order_acquire);
    return tail > head ? static_cast<size_t>(tail - head) : 0;
  }
  /// Reader side: bytes published and not yet read (a snapshot; 0 in the same window as size()).
  size_t reader_queued_bytes() const noexcept {
    uint64_t published = tail_bytes_.load(std::memory_order_acquire);
    return published > r_bytes_ ? static_cast<size_t>(published - r_bytes_) : 0;
  }
  /// The high-water mark.
  size_t hwm() const noexcept { return hwm_; }
  /// The byte limit (0: none).
  size_t byte_limit() const noexcept { return byte_limit_ == no_byte_limit ? 0 : byte_limit_; }
  /// The slots the ring has allocated now (its current segment and those the reader has not left
  /// yet), as the writer knows it. Starts at initial_slots (or the HWM if smaller).
  size_t allocated_slots() const noexcept {
    return w_allocated_ - freed_slots_.load(std::memory_order_acquire);
  }

  /// The slots of a new ring.
  static constexpr size_t initial_slots = 4;

private:
  friend class recv_budget;  // recounts and arms the rings of its socket, from any writer thread
  static constexpr size_t no_byte_limit = ~size_t{0};

  bool gate_exhausted() const noexcept { return gate_ != nullptr && gate_->exhausted(); }
  // Any thread (the budget's lock held), for a budget wait: asks the reader to wake the budget's
  // waiters when half of what the ring holds has been read (or it drained). Reads only what the
  // two sides publish (tail_bytes_, head_bytes_): it never touches the writer's own state.
  void arm_budget_wake() noexcept;
  // Any thread (seq_cst: after arm_budget_wake): credits the budget with the bytes the reader has
  // published as read and not yet credited. Touches only atomics.
  void credit_published_reads() noexcept {
    credit_to(head_bytes_.load(std::memory_order_seq_cst));
  }
  // Any thread: credits the budget up to `read` bytes read in all, once: the writer's refresh
  // and the recounts of other threads may both learn of the same reads.
  void credit_to(uint64_t read) noexcept {
    uint64_t old = credited_.load(std::memory_order_relaxed);
    while (old < read && !credited_.compare_exchange_weak(old, read, std::memory_order_relaxed)) {
    }
    if (old < read)
      budget_->used.fetch_sub(static_cast<size_t>(read - old), std::memory_order_relaxed);
  }
  void enter_read() noexcept;

  // One cache line per slot, and `seq` (the slot's position + 1 once published) beside the
  // message: the reader learns of a message from the line that carries it, so no shared counter
  // moves between the cores per message. `end_bytes` is the writer's byte total through this
  // message: written before `seq` is published, overwritten only after head_ has passed it.
  struct alignas(64) slot {
    message msg;
    std::atomic<uint64_t> seq{0};
    uint64_t end_bytes = 0;
  };
  static_assert(sizeof(slot) == 64, "a slot is one cache line");
  // A power-of-two array of slots holding positions [start, next->start): position p is in
  // slots[p & mask]. Written by the writer before `next` links it (release).
  struct segment {
    segment(size_t capacity, uint64_t first)
      : slots(new slot[capacity]), mask(capacity - 1), start(first) {}
    std::unique_ptr<slot[]> slots;
    size_t mask;
    uint64_t start;
    std::atomic<segment*> next{nullptr};
  };

  // Writer: true when the ring holds the HWM, or the current segment has no free slot, or the
  // ring holds its byte limit.
  bool looks_full() const noexcept {
    return w_tail_ >= w_stop_ || w_bytes_ - w_head_bytes_ >= byte_limit_;
  }
  // Writer: where w_tail_ must stop, from the reader's position as last seen and the current
  // segment (its slots are free from the later of the reader's position and its start on).
  void set_stop() noexcept {
    uint64_t from = w_head_cache_ > w_seg_start_ ? w_head_cache_ : w_seg_start_;
    w_stop_ = std::min<uint64_t>(w_head_cache_ + hwm_, from + w_mask_ + 1);
  }

  // Writer, ring looking full: links a larger segment if the slots, not the HWM or the byte
  // limit, are what is missing. False if it cannot (at the HWM, or out of memory).
  bool grow() noexcept;
  // Reader: the slot at r_head_ if its message is published (following the writer's link to the
  // next segment when this one is finished), else nullptr.
  slot* published_slot() noexcept {
    slot* s = &r_slots_[r_head_ & r_mask_];
    if (s->seq.load(std::memory_order_acquire) == r_head_ + 1)
      return s;
    return follow_link() ? published_slot() : nullptr;
  }
  bool follow_link() noexcept;
  // Writer: catches up with the reader's position `head` and the bytes read (at least up to it:
  // the reader stores head_bytes_ before head_, in the same line).
  void refresh(uint64_t head) noexcept {
    if (head == w_head_cache_)
      return;
    uint64_t read = head_bytes_.load(std::memory_order_acquire);
    if (budget_ != nullptr)
      credit_to(read);
    w_head_bytes_ = read;
    w_head_cache_ = head;
    set_stop();
  }
  // Writer: counts the message just put in the slot at w_tail_.
  void commit_push(size_t bytes) noexcept {
    w_bytes_ += bytes;
    w_slots_[w_tail_ & w_mask_].end_bytes = w_bytes_;
    if (budget_ != nullptr)
      budget_->used.fetch_add(bytes, std::memory_order_relaxed);
    ++w_tail_;
  }
  void publish() noexcept;
  void advance() noexcept {
    r_bytes_ = r_slots_[r_head_ & r_mask_].end_bytes;  // in the line just read: no extra miss
    ++r_head_;
    head_bytes_.store(r_bytes_, std::memory_order_release);  // same line as head_
    head_.store(r_head_, std::memory_order_release);
    // Cheap early wake at the low-water marks; the fenced check on empty is the guarantee.
    // (tail_ may still be behind r_head_ here: compared, not subtracted, so it cannot wrap.)
    if (writer_sleeping_.load(std::memory_order_relaxed)
        && tail_.load(std::memory_order_relaxed) <= r_head_ + wake_count_.load(std::memory_order_relaxed)
        && r_bytes_ >= wake_bytes_.load(std::memory_order_relaxed))
      wake_sleeping_writer();
  }
  void wake_sleeping_writer() noexcept;

  size_t hwm_;
  size_t max_slots_;  // the HWM rounded up to a power of two
  size_t low_water_;
  size_t byte_limit_;
  std::shared_ptr<byte_budget> budget_;
  recv_budget* gate_ = nullptr;                // budget_ as a receive budget (gate_on), or null
  bool discardable_ = false;
  std::shared_ptr<waker> wake_reader_;
  std::shared_ptr<waker> wake_writer_;

  alignas(64) std::atomic<uint64_t> tail_{0};  // published by the writer; read on slow paths
  std::atomic<uint64_t> tail_bytes_{0};        // the byte total through tail_ (stats only)
  std::atomic<bool> reader_sleeping_{false};
  std::atomic<uint64_t> wake_count_{0};        // a sleeping writer wants: queued <= this...
  std::atomic<uint64_t> wake_bytes_{0};        // ...and bytes read >= this
  alignas(64) uint64_t w_tail_ = 0;            // writer-local
  uint64_t w_head_cache_ = 0;
  uint64_t w_published_ = 0;
  uint64_t w_bytes_ = 0;                       // bytes pushed, in all
  uint64_t w_head_bytes_ = 0;                  // bytes read up to w_head_cache_
  uint64_t w_stop_ = 0;                        // w_tail_ stops here (set_stop)
  size_t w_allocated_ = 0;                     // slots allocated, in all (see freed_slots_)
  segment* w_seg_;                             // where w_tail_ goes
  slot* w_slots_;                              // w_seg_'s slots, mask and start
  size_t w_mask_;
  uint64_t w_seg_start_ = 0;
  segment* w_pub_seg_;                         // where w_published_ is (never one published in full)
  std::atomic<uint64_t> credited_{0};          // bytes read and credited to budget_ (credit_to)
  alignas(64) std::atomic<uint64_t> head_{0};  // published by the reader
  std::atomic<uint64_t> head_bytes_{0};        // the bytes read through head_
  std::atomic<size_t> freed_slots_{0};         // slots of the segments the reader freed
  std::atomic<bool> writer_sleeping_{false};
  std::atomic<bool> reader_active_{false};     // discardable rings: a read batch is under way
  std::atomic<bool> discarding_{false};        // ...and the writer is removing the oldest
  alignas(64) uint64_t r_head_ = 0;            // reader-local
  uint64_t r_bytes_ = 0;                       // bytes read, in all
  segment* r_seg_;                             // where r_head_ is
  slot* r_slots_;                              // r_seg_'s slots and mask
  size_t r_mask_;
};

} // namespace cafmq
