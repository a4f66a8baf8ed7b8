// Frames and messages (architecture.md "Messages"; RFC 23 §Messages atomic multipart): inline vs
// shared storage, buffer sharing on copy, zero-copy deleters, multipart equality.
#include "runtime/core/message.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

using namespace cafmq;

namespace {

bool lives_inside(const frame& f) {
  auto* self = reinterpret_cast<const uint8_t*>(&f);
  return f.data() >= self && f.data() < self + sizeof(frame);
}

struct release_log {
  int calls = 0;
  void* last = nullptr;
};

void count_release(void* data, void* hint) {
  auto* log = static_cast<release_log*>(hint);
  ++log->calls;
  log->last = data;
}

} // namespace

TEST(Frame, DefaultIsEmpty) {
  std::vector<frame> defaults(2);  // (a local `frame f;` trips a GCC 12 -fsanitize false positive)
  EXPECT_TRUE(defaults[0].empty());
  EXPECT_EQ(defaults[1].size(), 0u);
  EXPECT_EQ(defaults[1].view(), "");
}

TEST(Frame, PayloadsUpToInlineCapacityLiveInsideTheFrame) {
  std::string small(frame::inline_capacity, 's');
  frame f{small};
  EXPECT_TRUE(lives_inside(f));
  EXPECT_EQ(f.view(), small);
  frame g{std::string(frame::inline_capacity + 1, 'b')};
  EXPECT_FALSE(lives_inside(g));
  EXPECT_EQ(g.size(), frame::inline_capacity + 1);
}

TEST(Frame, CopyOfInlineFrameCopiesTheBytes) {
  frame a{"hello"};
  frame b = a;
  EXPECT_NE(a.data(), b.data());
  EXPECT_EQ(a, b);
}

TEST(Frame, CopyOfSharedFrameSharesTheBuffer) {
  frame a{std::string(100, 'x')};
  frame b = a;
  frame c;
  c = b;
  EXPECT_EQ(a.data(), b.data());
  EXPECT_EQ(a.data(), c.data());
  EXPECT_EQ(c.view(), std::string(100, 'x'));
}

TEST(Frame, MoveLeavesTheSourceEmpty) {
  frame a{std::string(100, 'm')};
  const uint8_t* bytes = a.data();
  frame b = std::move(a);
  EXPECT_EQ(b.data(), bytes);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  frame c;
  c = std::move(b);
  EXPECT_EQ(c.data(), bytes);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(Frame, UninitializedIsFilledThroughMutableData) {
  for (size_t n : {size_t{0}, size_t{5}, frame::inline_capacity, size_t{1000}}) {
    auto f = frame::uninitialized(n);
    ASSERT_EQ(f.size(), n);
    for (size_t i = 0; i < n; ++i)
      f.mutable_data()[i] = static_cast<uint8_t>(i);
    for (size_t i = 0; i < n; ++i)
      EXPECT_EQ(f.data()[i], static_cast<uint8_t>(i));
    EXPECT_EQ(lives_inside(f), n <= frame::inline_capacity) << n;
  }
}

TEST(Frame, ZeroCopyWrapsTheUserBufferWithoutCopying) {
  release_log log;
  char* user = static_cast<char*>(std::malloc(8));
  std::memcpy(user, "zerocopy", 8);
  {
    auto f = frame::zero_copy(user, 8, count_release, &log);
    EXPECT_EQ(f.data(), reinterpret_cast<uint8_t*>(user));
    EXPECT_EQ(f.view(), "zerocopy");
  }
  EXPECT_EQ(log.calls, 1);
  EXPECT_EQ(log.last, user);
  std::free(user);
}

TEST(Frame, ZeroCopyDeleterRunsOnceAfterTheLastCopyDies) {
  release_log log;
  char buffer[4] = {'a', 'b', 'c', 'd'};
  std::vector<frame> copies;
  {
    auto f = frame::zero_copy(buffer, sizeof buffer, count_release, &log);
    for (int i = 0; i < 5; ++i)
      copies.push_back(f);
    frame assigned;
    assigned = f;
    frame moved = std::move(assigned);
    EXPECT_EQ(log.calls, 0);
  }
  EXPECT_EQ(log.calls, 0);  // five copies still alive
  copies.pop_back();
  copies.erase(copies.begin(), copies.begin() + 3);
  EXPECT_EQ(log.calls, 0);
  EXPECT_EQ(copies.back().view(), "abcd");
  copies.clear();
  EXPECT_EQ(log.calls, 1);
  EXPECT_EQ(log.last, buffer);
}

TEST(Frame, AssigningOverAZeroCopyFrameReleasesIt) {
  release_log log;
  char buffer[2] = {'z', 'c'};
  auto f = frame::zero_copy(buffer, sizeof buffer, count_release, &log);
  f = frame{"other"};
  EXPECT_EQ(log.calls, 1);
  f = f;  // self-assignment keeps the frame intact
  EXPECT_EQ(f.view(), "other");
}

TEST(Frame, EqualityComparesBytesNotStorage) {
  std::string text(50, 'e');
  frame shared{text};
  auto wrapped = frame::zero_copy(text.data(), text.size(), nullptr);
  EXPECT_EQ(shared, wrapped);
  EXPECT_NE(frame{"a"}, frame{"b"});
  EXPECT_NE(frame{"a"}, frame{"ab"});
}

TEST(Message, SinglePartAndMultipart) {
  message one{"solo"};
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].view(), "solo");
  message many{"a", "bb", "ccc"};
  EXPECT_EQ(many.size(), 3u);
  EXPECT_EQ(many[2].view(), "ccc");
  EXPECT_EQ(many.byte_size(), 6u);
}

TEST(Message, AddKeepsFrameOrder) {
  message m;
  EXPECT_TRUE(m.empty());
  m.add(frame{"first"});
  m.add(frame{""});
  m.add(frame{std::string(40, 'L')});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].view(), "first");
  EXPECT_TRUE(m[1].empty());
  EXPECT_EQ(m.byte_size(), 45u);
}

TEST(Message, EqualityIsFrameByFrame) {
  EXPECT_EQ((message{"a", "b"}), (message{"a", "b"}));
  EXPECT_FALSE((message{"a", "b"}) == (message{"ab"}));
  EXPECT_FALSE((message{"a", "b"}) == (message{"a", "b", ""}));
  EXPECT_FALSE((message{"a", "b"}) == (message{"a", "c"}));
  EXPECT_EQ(message{}, message{});
}

TEST(Message, CopySharesLargeFrames) {
  message m{std::string(100, 'x'), "tail"};
  message copy = m;
  EXPECT_EQ(copy[0].data(), m[0].data());
  EXPECT_EQ(copy, m);
}

TEST(Message, ClearDropsEveryFrame) {
  release_log log;
  char buffer[3] = {'x', 'y', 'z'};
  message m;
  m.add(frame{"head"});
  m.add(frame::zero_copy(buffer, sizeof buffer, count_release, &log));
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.byte_size(), 0u);
  EXPECT_EQ(log.calls, 1);
}

TEST(Frame, IsThirtyTwoBytesWithTheSharedFormInsideTheInlineBytes) {
  // A ring slot holds a message and its sequence number in one cache line (spsc_ring.hpp).
  EXPECT_EQ(sizeof(frame), 32u);
  EXPECT_LE(sizeof(message) + sizeof(uint64_t), 64u);
  frame big{std::string(frame::inline_capacity + 1, 'b')};
  EXPECT_FALSE(lives_inside(big));
  EXPECT_EQ(big.size(), frame::inline_capacity + 1);
  frame small{std::string(frame::inline_capacity, 's')};
  EXPECT_TRUE(lives_inside(small));
}

TEST(Message, ManyFramesGrowTheTailAndKeepTheirOrderAndBytes) {
  message m;
  for (int i = 0; i < 100; ++i)  // past several doublings of the tail array
    m.add(frame{std::to_string(i) + (i % 3 == 0 ? std::string(50, '+') : "")});
  ASSERT_EQ(m.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(m[i].view(), std::to_string(i) + (i % 3 == 0 ? std::string(50, '+') : ""));
}

TEST(Message, CopyOfAMultipartMessageIsIndependentOfTheOriginal) {
  message m{"a", "b", "c", "d", "e", "f"};
  message copy = m;
  m.clear();
  m.add(frame{"z"});
  ASSERT_EQ(copy.size(), 6u);
  EXPECT_EQ(copy, (message{"a", "b", "c", "d", "e", "f"}));
  copy = m;  // copy-assign over a multipart message
  EXPECT_EQ(copy, message{"z"});
}

TEST(Message, MoveLeavesTheSourceEmptyAndReusable) {
  message m{"a", "b", "c"};
  message moved = std::move(m);
  EXPECT_TRUE(m.empty());  // NOLINT(bugprone-use-after-move): documented behaviour
  EXPECT_EQ(moved, (message{"a", "b", "c"}));
  m.add(frame{"again"});
  m.add(frame{"and again"});
  EXPECT_EQ(m, (message{"again", "and again"}));
  moved = std::move(m);  // move-assign over a multipart message
  EXPECT_EQ(moved, (message{"again", "and again"}));
}

TEST(Message, TakeFramesEmptiesTheMessageAndKeepsItUsable) {
  message m{"x", "y", "z"};
  std::vector<frame> out;
  m.take_frames(out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].view(), "z");
  EXPECT_TRUE(m.empty());
  m.add(frame{"n"});
  m.add(frame{"m"});
  EXPECT_EQ(m, (message{"n", "m"}));
}

TEST(Frame, SmallCopiesReadNothingPastTheirBytes) {
  // Each size 0..30 copied from the very end of a readable page: a read past the bytes faults.
  long page = sysconf(_SC_PAGESIZE);
  auto* two = static_cast<uint8_t*>(
    mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(two, MAP_FAILED);
  ASSERT_EQ(mprotect(two + page, page, PROT_NONE), 0);
  const std::string input = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (size_t n = 0; n <= frame::inline_capacity; ++n) {
    uint8_t* at = two + page - n;
    std::memcpy(at, input.data(), n);
    frame built{at, n};
    EXPECT_EQ(built.view(), input.substr(0, n)) << n;
    EXPECT_TRUE(lives_inside(built));
    frame assigned{std::string(100, 'x')};  // shared before: released, then inline
    assigned.assign(at, n);
    EXPECT_EQ(assigned.view(), input.substr(0, n)) << n;
    EXPECT_EQ(assigned.size(), n);
    frame moved = std::move(assigned);
    EXPECT_EQ(moved.view(), input.substr(0, n)) << n;
  }
  munmap(two, 2 * page);
  frame big;
  big.assign(input.data(), 31);  // larger than inline: a shared copy
  EXPECT_EQ(big.view(), input.substr(0, 31));
  EXPECT_FALSE(lives_inside(big));
}
