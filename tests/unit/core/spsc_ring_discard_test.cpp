// The ring's writer-side discard for full_policy drop_oldest (docs/reliability.md "Full
// policy"): the oldest message the reader has not taken goes, whole, its bytes credited; never
// while the reader is inside a read batch; and under two threads every message is either read
// once, intact, or discarded, never both and never lost.
#include "runtime/core/spsc_ring.hpp"

#include "runtime/core/signaler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

using namespace cafmq;

namespace {

using result = spsc_ring::discard_result;

struct counting_waker final : waker {
  std::atomic<int> wakes{0};
  void wake() noexcept override { wakes.fetch_add(1); }
};

// `size` bytes (at least 8): the number, then a pattern derived from it (heap frames from 64
// bytes on, so a use after free would show as a corrupted pattern).
message numbered(uint64_t i, size_t size = 8) {
  std::string s(size < 8 ? 8 : size, '\0');
  std::memcpy(s.data(), &i, 8);
  for (size_t k = 8; k < s.size(); ++k)
    s[k] = static_cast<char>((i * 31 + k) & 0xFF);
  return message{s};
}

uint64_t number_of(const message& m) {
  uint64_t i = 0;
  std::memcpy(&i, m[0].data(), 8);
  return i;
}

bool intact(const message& m) {
  auto i = number_of(m);
  for (size_t k = 8; k < m[0].size(); ++k)
    if (m[0].data()[k] != static_cast<uint8_t>((i * 31 + k) & 0xFF))
      return false;
  return true;
}

struct fixture {
  std::shared_ptr<counting_waker> reader = std::make_shared<counting_waker>();
  std::shared_ptr<counting_waker> writer = std::make_shared<counting_waker>();
  std::shared_ptr<byte_budget> budget = std::make_shared<byte_budget>();
  spsc_ring ring;
  explicit fixture(size_t hwm, size_t byte_limit = 0) : ring(hwm, reader, writer, byte_limit, budget) {
    ring.allow_discard();
  }
  bool push(uint64_t i, size_t size = 8) {
    auto m = numbered(i, size);
    bool ok = ring.try_push(m);
    ring.flush();
    return ok;
  }
  uint64_t pop() {
    spsc_ring::read_guard batch{ring};
    message m;
    EXPECT_TRUE(ring.try_pop(m));
    return m.empty() ? UINT64_MAX : number_of(m);
  }
};

} // namespace

TEST(SpscRingDiscard, TheOldestUnreadMessageGoesAndMakesRoomForTheNewest) {
  fixture f{4};
  for (uint64_t i = 0; i < 4; ++i)
    ASSERT_TRUE(f.push(i));
  ASSERT_TRUE(f.ring.full());
  EXPECT_EQ(f.ring.discard_oldest(), result::discarded);
  EXPECT_FALSE(f.ring.full());
  ASSERT_TRUE(f.push(4));
  for (uint64_t want : {1, 2, 3, 4})
    EXPECT_EQ(f.pop(), want);
  EXPECT_EQ(f.ring.size(), 0u);
}

TEST(SpscRingDiscard, MessagesAlreadyReadAreNeverTheOnesDiscarded) {
  fixture f{4};
  for (uint64_t i = 0; i < 4; ++i)
    ASSERT_TRUE(f.push(i));
  EXPECT_EQ(f.pop(), 0u);
  EXPECT_EQ(f.ring.discard_oldest(), result::discarded);  // 1, the oldest not taken
  EXPECT_EQ(f.pop(), 2u);
  EXPECT_EQ(f.pop(), 3u);
}

TEST(SpscRingDiscard, StagedMessagesArePublishedAndTheOldestOfThemDiscarded) {
  fixture f{4};
  for (uint64_t i = 0; i < 3; ++i) {
    auto m = numbered(i);
    ASSERT_TRUE(f.ring.try_push(m));  // staged, not flushed
  }
  EXPECT_EQ(f.ring.discard_oldest(), result::discarded);
  EXPECT_EQ(f.ring.unpublished(), 0u);
  EXPECT_EQ(f.pop(), 1u);
  EXPECT_EQ(f.pop(), 2u);
}

TEST(SpscRingDiscard, AnEmptyRingOrOneNotSetUpForItHasNothingToDiscard) {
  fixture f{4};
  EXPECT_EQ(f.ring.discard_oldest(), result::empty);
  auto r = std::make_shared<counting_waker>();
  spsc_ring plain{4, r, r};
  auto m = numbered(7);
  ASSERT_TRUE(plain.try_push(m));
  plain.flush();
  EXPECT_FALSE(plain.discardable());
  EXPECT_EQ(plain.discard_oldest(), result::empty);
  EXPECT_EQ(plain.size(), 1u) << "a ring without allow_discard keeps its messages";
}

TEST(SpscRingDiscard, NothingIsDiscardedWhileTheReaderIsInsideABatch) {
  fixture f{4};
  for (uint64_t i = 0; i < 4; ++i)
    ASSERT_TRUE(f.push(i));
  f.ring.begin_read();
  const message* front = f.ring.front();  // read in place, as the engine encodes
  ASSERT_NE(front, nullptr);
  EXPECT_EQ(f.ring.discard_oldest(), result::reader_busy);
  EXPECT_EQ(number_of(*front), 0u) << "the message being read is untouched";
  EXPECT_TRUE(intact(*front));
  f.ring.pop_front();
  f.ring.end_read();
  EXPECT_EQ(f.ring.discard_oldest(), result::discarded);
  EXPECT_EQ(f.pop(), 2u);
}

TEST(SpscRingDiscard, DiscardedBytesAreCreditedToTheByteLimitAndTheBudget) {
  fixture f{100, 1000};
  for (uint64_t i = 0; i < 4; ++i)
    ASSERT_TRUE(f.push(i, 250));
  ASSERT_TRUE(f.ring.full()) << "1000 bytes queued";
  EXPECT_EQ(f.budget->used.load(), 1000u);
  EXPECT_EQ(f.ring.discard_oldest(), result::discarded);
  EXPECT_EQ(f.ring.writer_queued_bytes(), 750u);
  EXPECT_EQ(f.budget->used.load(), 750u);
  EXPECT_EQ(f.ring.reader_queued_bytes(), 750u);
  EXPECT_FALSE(f.ring.full());
}

TEST(SpscRingDiscard, ASleepingReaderIsWokenByTheMessageThatReplacesTheDiscardedOne) {
  fixture f{1};
  ASSERT_TRUE(f.push(0));
  EXPECT_EQ(f.pop(), 0u);
  ASSERT_TRUE(f.push(1));
  EXPECT_EQ(f.ring.discard_oldest(), result::discarded);  // the ring is empty again
  {
    spsc_ring::read_guard batch{f.ring};
    ASSERT_TRUE(f.ring.reader_sleep());
  }
  int before = f.reader->wakes.load();
  ASSERT_TRUE(f.push(2));
  EXPECT_EQ(f.reader->wakes.load(), before + 1);
  EXPECT_EQ(f.pop(), 2u);
}

// The writer makes room by discarding while the reader reads in place in batches, as the engine
// does: each message is read whole exactly once or discarded, and the newest always arrives.
TEST(SpscRingDiscard, TwoThreadsNeverReadADiscardedMessageNorLoseOne) {
  constexpr uint64_t total = 200'000;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto reader_wake = std::make_shared<signaler>();
  auto writer_wake = std::make_shared<signaler>();
  spsc_ring ring{8, reader_wake, writer_wake, 2000};
  ring.allow_discard();
  uint64_t discarded = 0;
  std::thread producer([&] {
    for (uint64_t i = 0; i < total; ++i) {
      auto m = numbered(i, 8 + i % 500);
      while (!ring.try_push(m))
        if (ring.discard_oldest() == result::discarded)
          ++discarded;
      ring.flush();
    }
  });
  uint64_t got = 0, last = 0, bad = 0, misordered = 0;
  bool timed_out = false, seen_last = false;
  while (!seen_last && !timed_out) {
    bool slept = false;
    {
      spsc_ring::read_guard batch{ring};
      for (int k = 0; k < 16; ++k) {
        const message* m = ring.front();
        if (m == nullptr) {
          slept = !seen_last && ring.reader_sleep();
          break;
        }
        auto n = number_of(*m);
        bad += !intact(*m);
        misordered += got > 0 && n <= last;
        last = n;
        ++got;
        seen_last = n == total - 1;
        ring.pop_front();
      }
    }
    if (slept && !reader_wake->wait_until(deadline))
      timed_out = true;
  }
  producer.join();
  EXPECT_FALSE(timed_out) << "stalled after " << got << " messages, last " << last << ", discarded "
                          << discarded << ", size " << ring.size() << ", readable " << ring.readable();
  EXPECT_TRUE(seen_last) << "the newest message never arrived";
  EXPECT_EQ(bad, 0u) << "a message was read while (or after) being discarded";
  EXPECT_EQ(misordered, 0u) << "out of order or read twice";
  EXPECT_GT(discarded, 0u) << "the reader kept up: nothing exercised the discard";
  EXPECT_EQ(got + discarded, total) << "each message is read or discarded, exactly one of them";
}
