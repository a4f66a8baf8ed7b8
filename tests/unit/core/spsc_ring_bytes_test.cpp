// The ring's byte limit and the socket send budget it charges (docs/reliability.md
// "Backpressure"): full at either mark, one oversized message still passes, the writer learns of
// reads lazily and exactly, and a writer asleep on bytes is woken at half the byte limit.
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

message bytes(size_t n, char fill = 'x') {
  return message{std::string(n, fill)};
}

struct fixture {
  std::shared_ptr<counting_waker> reader = std::make_shared<counting_waker>();
  std::shared_ptr<counting_waker> writer = std::make_shared<counting_waker>();
  std::shared_ptr<byte_budget> budget;
  spsc_ring ring;
  fixture(size_t hwm, size_t byte_limit, std::shared_ptr<byte_budget> b = nullptr)
    : budget(b), ring(hwm, reader, writer, byte_limit, b) {}
  bool push(size_t n) {
    auto m = bytes(n);
    bool ok = ring.try_push(m);
    ring.flush();
    return ok;
  }
};

} // namespace

TEST(SpscRingBytes, FullWhenTheByteLimitIsReachedBeforeTheHwm) {
  fixture f{100, 1000};
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(f.push(100)) << "message " << i;
  EXPECT_TRUE(f.ring.full());
  auto m = bytes(1);
  EXPECT_FALSE(f.ring.try_push(m));
  EXPECT_EQ(m[0].size(), 1u) << "a refused message stays with the caller";
  EXPECT_EQ(f.ring.writer_queued_bytes(), 1000u);
  EXPECT_EQ(f.ring.byte_limit(), 1000u);
}

TEST(SpscRingBytes, FullWhenTheHwmIsReachedBeforeTheByteLimit) {
  fixture f{4, 1 << 20};
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(f.push(10));
  EXPECT_TRUE(f.ring.full());
}

TEST(SpscRingBytes, AMessageLargerThanTheLimitPassesAnEmptyRingAndOnlyThat) {
  fixture f{100, 1000};
  ASSERT_TRUE(f.push(5000)) << "an oversized message must never be refused forever";
  EXPECT_TRUE(f.ring.full());
  EXPECT_FALSE(f.push(1));
  message m;
  ASSERT_TRUE(f.ring.try_pop(m));
  EXPECT_EQ(m[0].size(), 5000u);
  EXPECT_FALSE(f.ring.full()) << "the writer learns of the read once it looks";
  EXPECT_TRUE(f.push(5000));
}

TEST(SpscRingBytes, ZeroMeansNoByteLimit) {
  fixture f{8, 0};
  for (int i = 0; i < 8; ++i)
    ASSERT_TRUE(f.push(1 << 20));
  EXPECT_EQ(f.ring.byte_limit(), 0u);
  EXPECT_EQ(f.ring.writer_queued_bytes(), 8u << 20);
}

TEST(SpscRingBytes, MultipartMessagesCountEveryFrame) {
  fixture f{16, 100};
  message m{"0123456789", std::string(60, 'y'), "abc"};
  ASSERT_TRUE(f.ring.try_push(m));
  f.ring.flush();
  EXPECT_EQ(f.ring.writer_queued_bytes(), 73u);
  EXPECT_EQ(f.ring.reader_queued_bytes(), 73u);
}

TEST(SpscRingBytes, ReaderAndWriterAgreeOnQueuedBytesAfterReads) {
  fixture f{64, 0};
  for (size_t n = 1; n <= 10; ++n)
    ASSERT_TRUE(f.push(n * 10));  // 550 bytes in all
  message m;
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(f.ring.try_pop(m));  // 10 + 20 + 30 + 40 read
  EXPECT_EQ(f.ring.reader_queued_bytes(), 450u);
  EXPECT_EQ(f.ring.writer_queued_bytes(), 450u);
}

TEST(SpscRingBytes, ByteAccountingStaysExactAcrossManyWrapArounds) {
  fixture f{4, 100};
  message m;
  size_t pushed = 0, popped = 0;
  for (int round = 0; round < 1000; ++round) {
    size_t n = 1 + static_cast<size_t>(round % 37);
    while (!f.push(n)) {
      ASSERT_TRUE(f.ring.try_pop(m));
      popped += m[0].size();
    }
    pushed += n;
    ASSERT_EQ(f.ring.writer_queued_bytes(), pushed - popped) << "round " << round;
  }
}

TEST(SpscRingBytes, AWriterAsleepOnBytesIsWokenAtHalfTheByteLimit) {
  fixture f{100, 1000};
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(f.push(100));
  ASSERT_TRUE(f.ring.writer_sleep()) << "full by bytes: the writer may sleep";
  message m;
  for (int popped = 1; popped <= 4; ++popped) {
    ASSERT_TRUE(f.ring.try_pop(m));
    EXPECT_EQ(f.writer->wakes, 0) << (1000 - popped * 100) << " bytes still queued";
  }
  ASSERT_TRUE(f.ring.try_pop(m));  // 500 bytes left = half the limit
  EXPECT_EQ(f.writer->wakes, 1);
}

TEST(SpscRingBytes, WriterSleepIsRefusedWhenBytesHaveRoom) {
  fixture f{100, 1000};
  ASSERT_TRUE(f.push(999));
  EXPECT_FALSE(f.ring.writer_sleep());
}

TEST(SpscRingBytes, BudgetIsChargedByPushesAndCreditedOnceTheWriterSeesReads) {
  auto budget = std::make_shared<byte_budget>();
  budget->limit = 250;
  fixture a{16, 0, budget}, b{16, 0, budget};
  ASSERT_TRUE(a.push(100));
  ASSERT_TRUE(b.push(100));
  EXPECT_EQ(budget->used.load(), 200u);
  EXPECT_FALSE(budget->exhausted());
  ASSERT_TRUE(b.push(100));
  EXPECT_TRUE(budget->exhausted());
  message m;
  ASSERT_TRUE(a.ring.try_pop(m));
  EXPECT_EQ(budget->used.load(), 300u) << "reads are learnt lazily: no shared write per message";
  a.ring.writer_queued_bytes();
  EXPECT_EQ(budget->used.load(), 200u);
  EXPECT_FALSE(budget->exhausted());
}

TEST(SpscRingBytes, WaitProgressWakesOnTheNextReadAndRefusesWhenThereIsNothingToWaitFor) {
  fixture f{16, 0};
  EXPECT_FALSE(f.ring.writer_wait_progress()) << "an empty ring will never be read from";
  ASSERT_TRUE(f.push(10));
  ASSERT_TRUE(f.push(10));
  f.ring.writer_queued_bytes();  // the writer's last look
  ASSERT_TRUE(f.ring.writer_wait_progress());
  message m;
  ASSERT_TRUE(f.ring.try_pop(m));
  EXPECT_EQ(f.writer->wakes, 1) << "one read is progress for a socket waiting on its budget";
  EXPECT_FALSE(f.ring.writer_wait_progress()) << "read from since the writer last looked";
}

TEST(SpscRingBytes, TwoThreadsMoveVariableSizesUnderAByteLimitWithoutLossOrStall) {
  constexpr uint64_t total = 200'000;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto reader_wake = std::make_shared<signaler>();
  auto writer_wake = std::make_shared<signaler>();
  spsc_ring ring{1024, reader_wake, writer_wake, 4096};
  std::atomic<bool> timed_out{false};
  std::thread producer([&] {
    for (uint64_t i = 0; i < total && !timed_out; ++i) {
      message m{std::string(1 + i % 300, static_cast<char>('a' + i % 26))};
      while (!ring.try_push(m)) {
        ring.flush();
        if (ring.writer_sleep() && !writer_wake->wait_until(deadline))
          timed_out = true;
        if (timed_out)
          return;
      }
      if (i % 8 == 7)
        ring.flush();
    }
    ring.flush();
  });
  uint64_t got = 0, bad = 0;
  message m;
  while (got < total && !timed_out) {
    if (ring.try_pop(m)) {
      bad += m[0].size() != 1 + got % 300 || m[0].data()[0] != 'a' + got % 26;
      ++got;
    } else if (ring.reader_sleep() && !reader_wake->wait_until(deadline)) {
      timed_out = true;
    }
  }
  producer.join();
  EXPECT_FALSE(timed_out) << "stalled after " << got << " messages";
  EXPECT_EQ(got, total);
  EXPECT_EQ(bad, 0u);
}
