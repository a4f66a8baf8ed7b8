// The SPSC ring allocates slots as messages queue: a fresh ring holds initial_slots, grows by
// doubling toward the HWM only when the writer finds its slots taken, never allocates more than
// the HWM rounded up to a power of two, frees the segments the reader has left, and keeps order, counts, byte accounting and discarding across the growth.
#include "runtime/core/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

using namespace cafmq;

namespace {

message numbered(uint64_t i) {
  uint8_t b[8];
  std::memcpy(b, &i, sizeof i);
  return message{frame{b, sizeof b}};
}

uint64_t number_of(const message& m) {
  uint64_t i = 0;
  std::memcpy(&i, m[0].data(), sizeof i);
  return i;
}

bool push(spsc_ring& r, uint64_t i) {
  auto m = numbered(i);
  return r.try_push(m);
}

uint64_t pop(spsc_ring& r) {
  message m;
  EXPECT_TRUE(r.try_pop(m));
  return m.empty() ? ~uint64_t{0} : number_of(m);
}

} // namespace

TEST(SpscRingGrowth, FreshRingHoldsOnlyItsInitialSlots) {
  spsc_ring r{1000, nullptr, nullptr};
  EXPECT_EQ(r.allocated_slots(), spsc_ring::initial_slots);
  spsc_ring tiny{1, nullptr, nullptr};
  EXPECT_EQ(tiny.allocated_slots(), 1u);
}

TEST(SpscRingGrowth, GrowsWhenMessagesQueueAndFreesWhatTheReaderLeft) {
  spsc_ring r{1000, nullptr, nullptr};
  for (uint64_t i = 0; i < 100; ++i)
    ASSERT_TRUE(push(r, i)) << i;
  r.flush();
  // 4 + 8 + 16 + 32 + 64, each filled: the reader is still in the first segment, so all are kept.
  EXPECT_EQ(r.allocated_slots(), 124u);
  for (uint64_t i = 0; i < 100; ++i)
    ASSERT_EQ(pop(r), i);
  // The reader freed each segment it left, with no call on the writer's side (a burst, then an
  // idle peer: its memory goes as soon as the burst is read).
  EXPECT_EQ(r.allocated_slots(), 64u);
  EXPECT_EQ(r.writer_queued_bytes(), 0u);
}

TEST(SpscRingGrowth, AStalledReaderNeverMakesTheRingAllocateMoreThanTheHwmRoundedUp) {
  spsc_ring r{1000, nullptr, nullptr};
  uint64_t pushed = 0;
  while (pushed < 2000 && push(r, pushed))
    ++pushed;
  EXPECT_EQ(pushed, 1000u) << "the ring still reaches its HWM";
  EXPECT_LE(r.allocated_slots(), 1024u) << "4 + 8 + ... cut to what is left of 1024";
  r.flush();
  for (uint64_t i = 0; i < 1000; ++i)
    ASSERT_EQ(pop(r), i);
}

TEST(SpscRingGrowth, StopsAtTheHwm) {
  spsc_ring r{10, nullptr, nullptr};
  for (uint64_t i = 0; i < 10; ++i)
    ASSERT_TRUE(push(r, i)) << i;
  EXPECT_FALSE(push(r, 10));
  EXPECT_TRUE(r.full());
  EXPECT_LE(r.allocated_slots(), 4u + 8u + 16u);
  r.flush();
  EXPECT_EQ(pop(r), 0u);
  EXPECT_TRUE(push(r, 10));  // room again after one read, as before growth existed
  EXPECT_FALSE(push(r, 11));
}

TEST(SpscRingGrowth, ByteLimitStopsTheRingBeforeItsSlots) {
  spsc_ring r{1000, nullptr, nullptr, 100};  // 8-byte messages: full from 104 bytes on
  for (uint64_t i = 0; i < 13; ++i)
    ASSERT_TRUE(push(r, i)) << i;
  EXPECT_FALSE(push(r, 13));
  EXPECT_EQ(r.allocated_slots(), 4u + 8u + 16u);
}

TEST(SpscRingGrowth, StagedMessagesSpanningAGrowthArePublishedTogether) {
  spsc_ring r{1000, nullptr, nullptr};
  for (uint64_t i = 0; i < 20; ++i)
    ASSERT_TRUE(push(r, i));
  EXPECT_EQ(r.unpublished(), 20u);
  EXPECT_FALSE(r.readable());
  r.flush();
  EXPECT_EQ(r.size(), 20u);
  for (uint64_t i = 0; i < 20; ++i)
    ASSERT_EQ(pop(r), i);
  EXPECT_FALSE(r.readable());
}

TEST(SpscRingGrowth, QueuedBytesStayExactAcrossSegmentBoundaries) {
  spsc_ring r{1000, nullptr, nullptr};
  for (uint64_t i = 0; i < 40; ++i)
    ASSERT_TRUE(push(r, i));
  r.flush();
  for (uint64_t read = 0; read < 40; ++read) {
    ASSERT_EQ(r.writer_queued_bytes(), (40 - read) * 8) << "after " << read << " reads";
    ASSERT_EQ(pop(r), read);
  }
  EXPECT_EQ(r.writer_queued_bytes(), 0u);
}

TEST(SpscRingGrowth, DiscardOldestFollowsTheReaderIntoTheNextSegment) {
  spsc_ring r{1000, nullptr, nullptr};
  r.allow_discard();
  for (uint64_t i = 0; i < 20; ++i)
    ASSERT_TRUE(push(r, i));
  for (int i = 0; i < 6; ++i)  // past the first segment's 4 slots
    ASSERT_EQ(r.discard_oldest(), spsc_ring::discard_result::discarded);
  spsc_ring::read_guard g{r};
  for (uint64_t i = 6; i < 20; ++i)
    ASSERT_EQ(pop(r), i);
}

// Writer and reader on two threads while the ring grows (many fresh rings, each growing from
// its initial slots to the HWM): order and byte accounting hold. Part of the TSan set. A failure
// on the reader's side stops both threads; both are bounded by a deadline.
TEST(SpscRingGrowth, ConcurrentReaderFollowsEveryGrowth) {
  constexpr int rings = 40;
  constexpr uint64_t per_ring = 3000;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int n = 0; n < rings; ++n) {
    spsc_ring r{1000, nullptr, nullptr};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> misordered{0};
    std::thread reader([&] {
      for (uint64_t want = 0; want < per_ring && !stop;) {
        message m;
        if (!r.try_pop(m)) {
          if (std::chrono::steady_clock::now() > deadline)
            stop = true;
          std::this_thread::yield();
          continue;
        }
        if (number_of(m) != want) {
          misordered = want + 1;
          stop = true;
        }
        ++want;
      }
    });
    for (uint64_t i = 0; i < per_ring && !stop;) {
      if (push(r, i)) {
        ++i;
        if (i % 64 == 0 || i == per_ring)
          r.flush();  // bursts: the ring fills and grows while the reader follows
      } else {
        r.flush();
        if (std::chrono::steady_clock::now() > deadline)
          stop = true;
        std::this_thread::yield();
      }
    }
    r.flush();
    reader.join();
    ASSERT_EQ(misordered.load(), 0u) << "ring " << n << ": message " << misordered - 1 << " out of order";
    ASSERT_FALSE(stop.load()) << "ring " << n << ": timed out";
    EXPECT_EQ(r.writer_queued_bytes(), 0u);
    EXPECT_LE(r.allocated_slots(), 2048u);
  }
}

// The reader may leave a segment, and the writer free it, before the writer publishes anything
// in the next one: publishing then starts in the next segment.
TEST(SpscRingGrowth, PublishesAfterTheReaderLeftTheSegmentItGrewFrom) {
  spsc_ring r{1000, nullptr, nullptr};
  for (uint64_t round = 0; round < 5; ++round) {
    uint64_t base = round * 100;
    for (uint64_t i = 0; i < 4u << round; ++i)  // fills the segment exactly, published
      ASSERT_TRUE(push(r, base + i));
    r.flush();
    ASSERT_TRUE(push(r, base + 99));  // grows; staged in the new segment
    for (uint64_t i = 0; i < 4u << round; ++i)
      ASSERT_EQ(pop(r), base + i);
    EXPECT_FALSE(r.readable());       // the reader moved to the new segment: nothing there yet
    EXPECT_GT(r.writer_queued_bytes(), 0u);  // the writer frees the segment the reader left
    r.flush();
    ASSERT_EQ(pop(r), base + 99);
  }
}
