// net::descriptor_watch: a freed descriptor wakes each waiter once, and bumps the generation a
// waiter compares to see a descriptor freed before it registered (which no wake would tell it).
#include "net/descriptor_watch.hpp"

#include <gtest/gtest.h>

namespace cafmq::net {
namespace {

TEST(DescriptorWatch, FreedWakesEachWaiterOnceAndBumpsTheGeneration) {
  int woken = 0;
  auto before = descriptor_watch::generation();
  descriptor_watch::wait([&] { ++woken; });
  descriptor_watch::freed();
  descriptor_watch::freed();
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(descriptor_watch::generation(), before + 2);
}

TEST(DescriptorWatch, AFreeBeforeTheWaitIsSeenInTheGenerationOnly) {
  int woken = 0;
  auto taken = descriptor_watch::generation();  // as an accept starts
  descriptor_watch::freed();                    // a connection closes before the pause
  auto id = descriptor_watch::wait([&] { ++woken; });
  EXPECT_EQ(woken, 0);
  EXPECT_NE(descriptor_watch::generation(), taken);  // so the pause resumes at once
  descriptor_watch::cancel(id);
  descriptor_watch::freed();
  EXPECT_EQ(woken, 0);  // cancelled
}

} // namespace
} // namespace cafmq::net
