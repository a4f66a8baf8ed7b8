// The large-frame block pool: which sizes it keeps, that a returned block is reused, and that a
// frame's block goes back to it when the last copy dies.
#include "runtime/core/block_pool.hpp"
#include "runtime/core/frame.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace cafmq;

TEST(BlockPool, PoolsOnlySizesFrom16KiBTo4MiBRoundedToPages) {
  EXPECT_EQ(block_pool::class_of(16 * 1024 - 1), 0u);
  EXPECT_EQ(block_pool::class_of(16 * 1024), 4u);
  EXPECT_EQ(block_pool::class_of(16 * 1024 + 1), 5u);
  EXPECT_EQ(block_pool::class_bytes(block_pool::class_of(65536 + 32)), 65536u + 4096u);
  EXPECT_EQ(block_pool::class_of(4 * 1024 * 1024), 1024u);
  EXPECT_EQ(block_pool::class_of(4 * 1024 * 1024 + 1), 0u);
}

TEST(BlockPool, AReturnedBlockIsHandedOutAgain) {
  uint32_t cls = block_pool::class_of(100 * 1000);
  void* a = block_pool::take(cls);
  ASSERT_NE(a, nullptr);
  block_pool::give(a, cls);
  void* b = block_pool::take(cls);
  EXPECT_EQ(a, b);
  block_pool::give(b, cls);
}

TEST(BlockPool, ALargeFrameReusesTheBlockOfTheLastOneFreed) {
  const uint8_t* first_bytes = nullptr;
  {
    frame f = frame::uninitialized(200 * 1000);
    first_bytes = f.data();
    frame copy = f;  // the block goes back only when the last copy dies
  }
  frame again{std::string(200 * 1000, 'z')};
  EXPECT_EQ(again.data(), first_bytes);
  EXPECT_EQ(again.size(), 200u * 1000u);
  EXPECT_EQ(again.view(), std::string(200 * 1000, 'z'));
}
