// Bounded single-producer/single-consumer ring of messages with the ypipe wake-up rule: the writer
// wakes the reader only on the empty -> non-empty edge of a flush; the reader wakes a writer that
// found the ring full only once it has drained to the low-water mark. Capacity = the HWM in
// messages, and optionally a limit in bytes: the ring is full when either is reached. The byte
// limit is checked before a push, so one message larger than the limit still passes (into a ring
// holding less than the limit, an empty one at least): a ring never refuses a message forever.
//
// Byte accounting costs no shared write per message on either side: the writer keeps its running
// byte total to itself and stores it (the bytes through this message) in the slot beside the
// message, in the cache line it writes anyway; the reader publishes nothing new (head_ as before).
// When the writer's stale view says "full" it re-reads head_ (as it already did for the HWM) and
// learns the bytes read from the slot just before head_, which it wrote itself and has not reused.
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
// (up to the HWM rounded to a power of two) and writes on there. The reader finishes the old
// segment, then follows the link (it looks only when it finds no message, so not per message);
// the writer frees a segment once the reader has announced it moved on (reader_seg_). Growing
// costs the writer one allocation per doubling and nothing once the ring has the size its use
// needs. A ring does not shrink.
#pragma once

#include "byte_budget.hpp"
#include "recv_budget.hpp"
#include "message.hpp"
#include "waker.hpp"

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
  /// Writer side: the slots the ring has allocated now (its current segment and those the reader
  /// has not left yet). Starts at initial_slots (or the HWM if smaller), grows up to the HWM.
  size_t allocated_slots() const noexcept;

  /// The slots of a new ring.
  static constexpr size_t initial_slots = 4;

private:
  friend class recv_budget;  // recounts and arms the rings of its socket (on the writer's thread)
  static constexpr size_t no_byte_limit = ~size_t{0};

  bool gate_exhausted() const noexcept { return gate_ != nullptr && gate_->exhausted(); }
  // Writer, for a budget wait: wake when half of what the ring holds has been read (or it
  // drained); then re-reads head_ after the flag (the caller recounts). False if it holds nothing.
  bool arm_budget_wake() noexcept;
  // Writer: catches up with the reader (seq_cst: after arm_budget_wake) and returns the bytes
  // pushed and not yet read.
  size_t settle_queued_bytes() noexcept {
    refresh(head_.load(std::memory_order_seq_cst));
    return static_cast<size_t>(w_bytes_ - w_head_bytes_);
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
    segment(size_t capacity, uint64_t first, uint64_t bytes_before)
      : slots(new slot[capacity]), mask(capacity - 1), start(first), start_bytes(bytes_before) {}
    std::unique_ptr<slot[]> slots;
    size_t mask;
    uint64_t start;
    uint64_t start_bytes;  // the writer's byte total through position start - 1
    std::atomic<segment*> next{nullptr};
  };

  // Writer: true when the ring holds w_room_ messages (the HWM, or all the slots of a ring still
  // growing) or its byte limit.
  bool looks_full() const noexcept {
    return w_tail_ - w_head_cache_ >= w_room_ || w_bytes_ - w_head_bytes_ >= byte_limit_;
  }
  // Writer, ring looking full: links a larger segment if the slots, not the HWM or the byte
  // limit, are what is missing. False if it cannot (at the HWM, or out of memory).
  bool grow() noexcept;
  // Writer: the bytes read through position head - 1 when that is not in the current segment
  // alone (segments retired), freeing the segments the reader has left.
  uint64_t bytes_read_through(uint64_t head) noexcept;
  // Reader: the slot at r_head_ if its message is published (following the writer's link to the
  // next segment when this one is finished), else nullptr.
  slot* published_slot() noexcept {
    slot* s = &r_slots_[r_head_ & r_mask_];
    if (s->seq.load(std::memory_order_acquire) == r_head_ + 1)
      return s;
    return follow_link() ? published_slot() : nullptr;
  }
  bool follow_link() noexcept;
  // Writer: catches up with the reader's position `head` and the bytes read up to it.
  void refresh(uint64_t head) noexcept {
    if (head == w_head_cache_)
      return;
    uint64_t read = head - 1 >= w_seg_start_ && w_oldest_ == w_seg_
                      ? w_slots_[(head - 1) & w_mask_].end_bytes
                      : bytes_read_through(head);
    if (budget_ != nullptr)
      budget_->used -= static_cast<size_t>(read - w_head_bytes_);
    w_head_bytes_ = read;
    w_head_cache_ = head;
  }
  // Writer: counts the message just put in the slot at w_tail_.
  void commit_push(size_t bytes) noexcept {
    w_bytes_ += bytes;
    w_slots_[w_tail_ & w_mask_].end_bytes = w_bytes_;
    if (budget_ != nullptr)
      budget_->used += bytes;
    ++w_tail_;
  }
  void publish() noexcept;
  void advance() noexcept {
    r_bytes_ = r_slots_[r_head_ & r_mask_].end_bytes;  // in the line just read: no extra miss
    ++r_head_;
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
  std::atomic<segment*> reader_seg_;           // the reader's segment: older ones may be freed
  alignas(64) uint64_t w_tail_ = 0;            // writer-local
  uint64_t w_head_cache_ = 0;
  uint64_t w_published_ = 0;
  uint64_t w_bytes_ = 0;                       // bytes pushed, in all
  uint64_t w_head_bytes_ = 0;                  // bytes read up to w_head_cache_
  size_t w_room_;                              // min(HWM, slots of w_seg_)
  segment* w_seg_;                             // where w_tail_ goes
  slot* w_slots_;                              // w_seg_'s slots, mask and start
  size_t w_mask_;
  uint64_t w_seg_start_ = 0;
  segment* w_pub_seg_;                         // where w_published_ is
  segment* w_oldest_;                          // the oldest segment not freed
  alignas(64) std::atomic<uint64_t> head_{0};  // published by the reader
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
