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

TEST(UserExecutor, DestructionRunsWhatIsQueuedWhenTheOwnerAsksToDrain) {
  int ran = 0;
  {
    user_executor ex{"test-callbacks", 16, user_executor::pending_tasks::run};
    for (int i = 0; i < 3; ++i)
      ex.post([&ran] { ++ran; });
  }
  EXPECT_EQ(ran, 3);
}

TEST(UserExecutor, StopDropsWhatIsQueuedButNotStarted) {
  auto release = std::make_shared<std::promise<void>>();
  auto released = release->get_future().share();
  std::promise<void> started;
  auto token = std::make_shared<int>(0);  // held by each queued task
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  user_executor ex{"test-callbacks", 16};
  ex.post([&started, released, done] {
    started.set_value();
    released.wait();
    done->set_value();
  });
  for (int i = 0; i < 3; ++i)
    ex.post([token] { ++*token; });
  started.get_future().wait();
  EXPECT_FALSE(ex.stop(user_executor::pending_tasks::drop, 100ms)) << "the running task ended?";
  EXPECT_EQ(token.use_count(), 1) << "the queued tasks were not dropped";
  EXPECT_FALSE(ex.post([] {})) << "a stopped executor took a task";
  release->set_value();
  EXPECT_EQ(finished.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(*token, 0) << "a dropped task ran";
}

// A callback that never returns cannot hang shutdown: destruction returns within its bound and
// leaves the thread behind (its state alive); the callback finishing later touches nothing freed.
TEST(UserExecutor, DestructionReturnsWithinItsBoundWhenACallbackNeverReturns) {
  auto release = std::make_shared<std::promise<void>>();
  auto released = release->get_future().share();
  std::promise<void> started;
  auto start = std::chrono::steady_clock::now();
  {
    user_executor ex{"test-callbacks", 16, user_executor::pending_tasks::run};
    ex.post([&started, released] {
      started.set_value();
      released.wait();  // "forever": until the test ends
    });
    ex.post([] {});
    started.get_future().wait();
    start = std::chrono::steady_clock::now();
  }
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, user_executor::default_stop_bound - std::chrono::milliseconds(50));
  EXPECT_LT(took, user_executor::default_stop_bound * 3) << "destruction waited for the blocked callback";
  release->set_value();  // the left-behind thread ends now, on its own state
}

} // namespace
} // namespace cafmq
