// The SPSC ring under a pipe (architecture.md "The data plane"): order, capacity = HWM, and the
// ypipe wake-up rule (one wake per empty->non-empty edge, writer woken at the low-water mark).
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

struct counting_waker final : waker {
  std::atomic<int> wakes{0};
  void wake() noexcept override { wakes.fetch_add(1); }
};

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

// A ring with counting wakers on both sides.
struct fixture {
  std::shared_ptr<counting_waker> reader = std::make_shared<counting_waker>();
  std::shared_ptr<counting_waker> writer = std::make_shared<counting_waker>();
  spsc_ring ring;
  explicit fixture(size_t hwm) : ring(hwm, reader, writer) {}
  bool push(uint64_t i) {
    auto m = numbered(i);
    return ring.try_push(m);
  }
  // Pushes messages [from, to) and publishes them.
  void publish_range(uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i)
      EXPECT_TRUE(push(i)) << "message " << i;
    ring.flush();
  }
};

} // namespace

TEST(SpscRing, PopsInPushOrder) {
  fixture f{16};
  for (uint64_t i = 0; i < 10; ++i)
    ASSERT_TRUE(f.push(i));
  f.ring.flush();
  message m;
  for (uint64_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(f.ring.try_pop(m));
    EXPECT_EQ(number_of(m), i);
  }
  EXPECT_FALSE(f.ring.try_pop(m));
}

TEST(SpscRing, StagedMessagesAreInvisibleUntilFlush) {
  fixture f{4};
  ASSERT_TRUE(f.push(1));
  message m;
  EXPECT_FALSE(f.ring.readable());
  EXPECT_FALSE(f.ring.try_pop(m));
  EXPECT_EQ(f.ring.size(), 0u);
  f.ring.flush();
  EXPECT_TRUE(f.ring.readable());
  EXPECT_EQ(f.ring.size(), 1u);
}

TEST(SpscRing, CapacityIsExactlyTheHwm) {
  for (size_t hwm : {size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{64}, size_t{1000}}) {
    fixture f{hwm};
    EXPECT_EQ(f.ring.hwm(), hwm);
    for (size_t i = 0; i < hwm; ++i)
      ASSERT_TRUE(f.push(i)) << hwm << " at " << i;
    EXPECT_TRUE(f.ring.full()) << hwm;
    EXPECT_FALSE(f.push(hwm)) << hwm;
    f.ring.flush();
    message m;
    ASSERT_TRUE(f.ring.try_pop(m));
    EXPECT_TRUE(f.push(hwm)) << "one slot frees after one pop, hwm " << hwm;
    EXPECT_FALSE(f.push(hwm + 1));
  }
}

TEST(SpscRing, ZeroHwmMeansOneSlot) {
  fixture f{0};
  EXPECT_EQ(f.ring.hwm(), 1u);
  EXPECT_TRUE(f.push(0));
  EXPECT_FALSE(f.push(1));
}

TEST(SpscRing, TryPushWhenFullLeavesTheMessageIntact) {
  fixture f{2};
  ASSERT_TRUE(f.push(0));
  ASSERT_TRUE(f.push(1));
  message m{"still", "here", std::string(100, 'x')};
  message copy = m;
  EXPECT_FALSE(f.ring.try_push(m));
  EXPECT_EQ(m, copy);
}

TEST(SpscRing, TryPushMovesTheMessageIn) {
  fixture f{2};
  message m{"a", "b"};
  ASSERT_TRUE(f.ring.try_push(m));
  f.ring.flush();
  message out;
  ASSERT_TRUE(f.ring.try_pop(out));
  EXPECT_EQ(out, (message{"a", "b"}));
}

TEST(SpscRing, ReaderIsWokenOnlyAfterAnnouncingSleep) {
  fixture f{8};
  f.push(0);
  f.ring.flush();
  EXPECT_EQ(f.reader->wakes, 0);  // the reader never said it would sleep
}

TEST(SpscRing, ReaderIsWokenOncePerEmptyToNonEmptyFlush) {
  fixture f{8};
  ASSERT_TRUE(f.ring.reader_sleep());
  f.push(0);
  f.ring.flush();
  EXPECT_EQ(f.reader->wakes, 1);
  f.push(1);
  f.ring.flush();  // already non-empty and the reader is awake: no second wake
  EXPECT_EQ(f.reader->wakes, 1);
  message m;
  while (f.ring.try_pop(m)) {
  }
  ASSERT_TRUE(f.ring.reader_sleep());
  f.ring.flush();  // nothing staged: no edge
  EXPECT_EQ(f.reader->wakes, 1);
  f.push(2);
  f.push(3);
  f.ring.flush();
  EXPECT_EQ(f.reader->wakes, 2);
}

TEST(SpscRing, ReaderSleepRefusedWhileMessagesWait) {
  fixture f{8};
  f.push(0);
  f.ring.flush();
  EXPECT_FALSE(f.ring.reader_sleep());
  f.push(1);
  f.ring.flush();
  EXPECT_EQ(f.reader->wakes, 0);
}

TEST(SpscRing, WriterIsWokenOnlyAfterDrainingToHalfTheHwm) {
  fixture f{8};
  for (uint64_t i = 0; i < 8; ++i)
    ASSERT_TRUE(f.push(i));
  f.ring.flush();
  ASSERT_TRUE(f.ring.writer_sleep());
  message m;
  for (int popped = 1; popped <= 3; ++popped) {
    ASSERT_TRUE(f.ring.try_pop(m));
    EXPECT_EQ(f.writer->wakes, 0) << "after " << popped << " pops";
  }
  ASSERT_TRUE(f.ring.try_pop(m));  // 4 left = hwm/2
  EXPECT_EQ(f.writer->wakes, 1);
  while (f.ring.try_pop(m)) {
  }
  EXPECT_EQ(f.writer->wakes, 1);
}

TEST(SpscRing, WriterIsNotWokenWithoutAnnouncingSleep) {
  fixture f{4};
  for (uint64_t i = 0; i < 4; ++i)
    f.push(i);
  f.ring.flush();
  message m;
  while (f.ring.try_pop(m)) {
  }
  EXPECT_EQ(f.writer->wakes, 0);
}

TEST(SpscRing, WriterSleepRefusedWhenSpaceIsFree) {
  fixture f{4};
  f.push(0);
  EXPECT_FALSE(f.ring.writer_sleep());
}

namespace {

// How the reader takes messages: one at a time to the end (the pattern's receive path), or in
// batches that stop at the end published when each began (the engines' write path).
enum class reading { to_the_end, in_batches };

// A producer and a consumer thread move `total` numbered messages through a small ring, both
// sleeping on their wakers: every message must arrive, in order, before the deadline.
void move_in_order(reading style) {
  constexpr uint64_t total = 1'000'000;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto reader_wake = std::make_shared<signaler>();
  auto writer_wake = std::make_shared<signaler>();
  spsc_ring ring{64, reader_wake, writer_wake};
  std::atomic<bool> timed_out{false};

  std::thread producer([&] {
    for (uint64_t i = 0; i < total && !timed_out; ++i) {
      auto m = numbered(i);
      while (!ring.try_push(m)) {
        ring.flush();  // staged messages must be visible before sleeping on a full ring
        if (ring.writer_sleep() && !writer_wake->wait_until(deadline))
          timed_out = true;
        if (timed_out)
          return;
      }
      if (i % 16 == 15)
        ring.flush();
    }
    ring.flush();
  });

  uint64_t expected = 0;
  uint64_t out_of_order = 0;
  message m;
  while (expected < total && !timed_out) {
    if (style == reading::in_batches) {
      uint64_t end = ring.batch_end();
      for (const message* next; (next = ring.front_before(end)) != nullptr; ++expected) {
        out_of_order += number_of(*next) != expected;
        ring.pop_front();
      }
      if (expected < total && ring.front() == nullptr && ring.reader_sleep()
          && !reader_wake->wait_until(deadline))
        timed_out = true;
    } else if (ring.try_pop(m)) {
      out_of_order += number_of(m) != expected;
      ++expected;
    } else if (ring.reader_sleep() && !reader_wake->wait_until(deadline)) {
      timed_out = true;
    }
  }
  producer.join();
  EXPECT_FALSE(timed_out) << "stalled after " << expected << " messages";
  EXPECT_EQ(expected, total);
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_FALSE(ring.try_pop(m));
}

} // namespace

TEST(SpscRing, TwoThreadsMoveAMillionMessagesInOrder) {
  move_in_order(reading::to_the_end);
}

// The engines' way, batches that stop at their end, with both sides sleeping: every message
// still arrives, in order (no wake-up of either side is lost).
TEST(SpscRing, TwoThreadsMoveAMillionMessagesInOrderWithAReaderThatStopsAtBatchEnds) {
  move_in_order(reading::in_batches);
}

TEST(SpscRing, FrontBeforeStopsAtTheEndPublishedWhenTheBatchBegan) {
  fixture f{16};
  f.publish_range(0, 3);
  uint64_t end = f.ring.batch_end();
  f.publish_range(3, 5);  // published after `end` was read
  for (uint64_t i = 0; i < 3; ++i) {
    const message* m = f.ring.front_before(end);
    ASSERT_NE(m, nullptr) << "message " << i;
    EXPECT_EQ(number_of(*m), i);
    f.ring.pop_front();
  }
  EXPECT_EQ(f.ring.front_before(end), nullptr) << "message 3 came after the batch began";
  const message* later = f.ring.front();
  ASSERT_NE(later, nullptr) << "but it is there for the next batch";
  EXPECT_EQ(number_of(*later), 3u);
  end = f.ring.batch_end();
  EXPECT_EQ(f.ring.front_before(end), later);
}

TEST(SpscRing, FrontReadsInPlaceAndPopFrontReleasesTheFrames) {
  fixture f{4};
  bool released = false;
  static char buffer[64];
  auto note = [](void*, void* hint) { *static_cast<bool*>(hint) = true; };
  message big{frame::zero_copy(buffer, sizeof buffer, note, &released)};
  ASSERT_TRUE(f.ring.try_push(big));
  ASSERT_TRUE(f.push(7));
  EXPECT_EQ(f.ring.front(), nullptr) << "staged, not yet flushed";
  f.ring.flush();
  const message* m = f.ring.front();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)[0].data(), reinterpret_cast<const uint8_t*>(buffer)) << "read in place";
  EXPECT_EQ(f.ring.front(), m) << "front() does not consume";
  f.ring.pop_front();
  EXPECT_TRUE(released) << "pop_front() must release the frames at once";
  m = f.ring.front();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(number_of(*m), 7u);
  f.ring.pop_front();
  EXPECT_EQ(f.ring.front(), nullptr);
  EXPECT_EQ(f.ring.size(), 0u);
}

// The reader can take a message as soon as its slot is published, before the writer stores
// tail_ (and tail_bytes_): the snapshots must then read 0, never a wrapped-around 2^64 - k.
TEST(SpscRing, QueuedSnapshotsNeverExceedTheHwmWhileTheWriterPublishes) {
  constexpr uint64_t total = 2'000'000;
  constexpr size_t hwm = 64;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  spsc_ring ring{hwm, nullptr, nullptr};
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (uint64_t i = 0; i < total && !stop; ++i) {
      auto m = numbered(i);
      while (!ring.try_push(m) && !stop)
        std::this_thread::yield();
      ring.flush();  // one message per publish: the most windows for the reader to hit
    }
  });
  uint64_t taken = 0, bad_size = 0, bad_bytes = 0;
  message m;
  while (taken < total && std::chrono::steady_clock::now() < deadline) {
    if (!ring.try_pop(m)) {
      std::this_thread::yield();  // the writer may share this core (sanitizer runs, -j2)
      continue;
    }
    ++taken;
    bad_size += ring.size() > hwm;
    bad_bytes += ring.reader_queued_bytes() > hwm * sizeof(uint64_t);
  }
  stop = true;
  producer.join();
  EXPECT_EQ(taken, total);
  EXPECT_EQ(bad_size, 0u) << "size() wrapped below zero";
  EXPECT_EQ(bad_bytes, 0u) << "reader_queued_bytes() wrapped below zero";
}

// The low-water wake in advance() can miss a writer that announces sleep at that moment; a batch
// that reaches its end checks again behind a fence, as front() does on an empty ring.
TEST(SpscRing, ABatchThatReachesItsEndWakesAWriterAsleepOnAFullRing) {
  fixture f{8};
  f.publish_range(0, 2);
  uint64_t end = f.ring.batch_end();
  f.publish_range(2, 8);
  ASSERT_TRUE(f.ring.writer_sleep()) << "full";
  for (int i = 0; i < 2; ++i) {
    ASSERT_NE(f.ring.front_before(end), nullptr);
    f.ring.pop_front();
  }
  EXPECT_EQ(f.writer->wakes, 0) << "6 of 8 still queued: above the low-water mark";
  EXPECT_EQ(f.ring.front_before(end), nullptr);
  EXPECT_EQ(f.writer->wakes, 1) << "the end of the batch must wake the sleeping writer";
}
