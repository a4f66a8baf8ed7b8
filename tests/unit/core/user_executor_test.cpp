// user_executor: runs tasks in order on its own thread, survives throwing tasks, bounds its queue.
#include "runtime/core/user_executor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(UserExecutor, RunsTasksInOrderOnItsOwnThread) {
  user_executor ex{"test-callbacks", 16};
  std::vector<int> seen;
  std::promise<bool> on_own;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(ex.post([&seen, i] { seen.push_back(i); }));
  ASSERT_TRUE(ex.post([&] { on_own.set_value(ex.on_own_thread()); }));
  auto f = on_own.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get());
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(ex.on_own_thread());
}

TEST(UserExecutor, AThrowingTaskIsCountedAndTheNextOneRuns) {
  user_executor ex{"test-callbacks", 16};
  std::promise<void> after;
  ASSERT_TRUE(ex.post([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(ex.post([&] { after.set_value(); }));
  ASSERT_EQ(after.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(ex.failed(), 1u);
}

TEST(UserExecutor, AFullQueueRefusesWithoutBlocking) {
  user_executor ex{"test-callbacks", 2};
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(ex.post([&started, gate] {
    started.set_value();
    gate.wait();
  }));
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(ex.post([] {}));
  EXPECT_TRUE(ex.post([] {}));
  EXPECT_FALSE(ex.post([] {}));  // two queued behind the blocked one: full
  EXPECT_EQ(ex.refused(), 1u);
  release.set_value();
}

TEST(UserExecutor, DestructionRunsWhatIsQueued) {
  int ran = 0;
  {
    user_executor ex{"test-callbacks", 16};
    for (int i = 0; i < 3; ++i)
      ex.post([&ran] { ++ran; });
  }
  EXPECT_EQ(ran, 3);
}

} // namespace
} // namespace cafmq
