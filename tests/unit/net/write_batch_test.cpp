// The write batch on bytes: frames encoded back to back with their headers, and a small
// zero-copy frame read only for its own length (its buffer may end at a page boundary).
#include "net/write_batch.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

using namespace cafmq;
using namespace cafmq::net;

namespace {

std::string contents(const write_batch& b) {
  std::string out;
  b.for_each_piece([&](const uint8_t* p, size_t n) { out.append(reinterpret_cast<const char*>(p), n); });
  return out;
}

} // namespace

TEST(WriteBatch, EncodesFramesWithShortAndLongHeadersAndMoreFlags) {
  write_batch b;
  b.add_message(message{"ab", ""});
  b.add_message(message{std::string(300, 'z')});
  std::string expected = std::string("\x01\x02" "ab", 4) + std::string("\x00\x00", 2)
                         + std::string("\x02\x00\x00\x00\x00\x00\x00\x01\x2c", 9)
                         + std::string(300, 'z');
  EXPECT_EQ(contents(b), expected);
  EXPECT_EQ(b.size(), expected.size());
}

TEST(WriteBatch, ASmallZeroCopyFrameAtTheEndOfAPageIsReadOnlyForItsLength) {
  long page = sysconf(_SC_PAGESIZE);
  auto* two = static_cast<uint8_t*>(
    mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(two, MAP_FAILED);
  ASSERT_EQ(mprotect(two + page, page, PROT_NONE), 0);  // reading past the buffer would fault
  uint8_t* tail = two + page - 8;
  std::memcpy(tail, "8 bytes!", 8);
  {
    write_batch b;
    b.add_message(message{frame::zero_copy(tail, 8, [](void*, void*) {})});
    EXPECT_EQ(contents(b), std::string("\x00\x08" "8 bytes!", 10));
  }
  munmap(two, 2 * page);
}

TEST(WriteBatch, RawFramesCarryOnlyTheirBytesSmallCopiedLargeHeld) {
  write_batch b;
  std::string large(write_batch::copy_limit + 1, 'L');
  b.add_raw_frame(frame{"GET "});
  b.add_raw_frame(frame{});
  b.add_raw_frame(frame{large});
  b.add_raw_frame(frame{"!"});
  EXPECT_EQ(contents(b), "GET " + large + "!");
  EXPECT_EQ(b.size(), 4 + large.size() + 1);
}
