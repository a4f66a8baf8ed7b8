// Monitor callbacks on a user_executor: they run on its thread in emission order, an event that
// finds its queue full is dropped for that callback and counted, and a removed callback's queued
// calls are skipped.
#include "runtime/core/monitor_hub.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

monitor_event numbered(uint64_t id) {
  monitor_event e;
  e.kind = event_kind::accepted;
  e.connection_id = id;
  return e;
}

// A callback that records the ids it saw; the first call waits for release() when `hold` is set.
class recording_callback {
public:
  explicit recording_callback(bool hold) : hold_(hold) {}
  void operator()(const monitor_event& e) {
    if (hold_ && e.connection_id == 1) {
      entered_.set_value();
      release_.get_future().wait();
    }
    std::lock_guard<std::mutex> guard{mtx_};
    ids_.push_back(e.connection_id);
    on_executor_ = on_executor_ && executor_ && executor_->on_own_thread();
  }
  void watch(const user_executor* executor) { executor_ = executor; }
  void wait_entered() { entered_.get_future().wait(); }
  void release() { release_.set_value(); }
  std::vector<uint64_t> ids() {
    std::lock_guard<std::mutex> guard{mtx_};
    return ids_;
  }
  bool on_executor() {
    std::lock_guard<std::mutex> guard{mtx_};
    return on_executor_;
  }

private:
  bool hold_;
  std::promise<void> entered_;
  std::promise<void> release_;
  std::mutex mtx_;
  std::vector<uint64_t> ids_;
  const user_executor* executor_ = nullptr;
  bool on_executor_ = true;
};

// Waits (bounded) until `cb` has seen `n` events.
bool seen(recording_callback& cb, size_t n) {
  auto end = std::chrono::steady_clock::now() + 10s;
  while (cb.ids().size() < n && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(1ms);
  return cb.ids().size() >= n;
}

TEST(MonitorHubCallbacks, RunOnTheExecutorInEmissionOrder) {
  recording_callback cb{false}; // outlives the executor's thread, joined first
  auto executor = std::make_shared<user_executor>("test/events", 1024);
  monitor_hub hub;
  cb.watch(executor.get());
  hub.add_callback([&cb](const monitor_event& e) { cb(e); }, executor);
  std::vector<uint64_t> expected;
  for (uint64_t i = 1; i <= 200; ++i) {
    hub.emit(numbered(i));
    expected.push_back(i);
  }
  ASSERT_TRUE(seen(cb, expected.size()));
  EXPECT_EQ(cb.ids(), expected);
  EXPECT_TRUE(cb.on_executor());
}

TEST(MonitorHubCallbacks, AFullQueueDropsTheEventForThatCallbackAndCountsIt) {
  recording_callback cb{true};
  auto executor = std::make_shared<user_executor>("test/events", 2);
  monitor_hub hub;
  auto id = hub.add_callback([&cb](const monitor_event& e) { cb(e); }, executor);
  hub.emit(numbered(1));
  cb.wait_entered(); // the executor runs event 1 and holds; its queue is empty
  for (uint64_t i = 2; i <= 5; ++i)
    hub.emit(numbered(i)); // 2 and 3 fill the queue; 4 and 5 find it full
  EXPECT_EQ(hub.dropped(id), 2u);
  cb.release();
  ASSERT_TRUE(seen(cb, 3));
  EXPECT_EQ(cb.ids(), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(MonitorHubCallbacks, ARemovedCallbacksQueuedCallsAreSkipped) {
  recording_callback cb{true};
  recording_callback witness{false}; // queued after cb's calls: once it ran, they would have
  auto executor = std::make_shared<user_executor>("test/events", 16);
  monitor_hub hub;
  auto id = hub.add_callback([&cb](const monitor_event& e) { cb(e); }, executor);
  hub.add_callback([&witness](const monitor_event& e) { witness(e); }, executor);
  hub.emit(numbered(1));
  cb.wait_entered();
  hub.emit(numbered(2));
  hub.remove_sink(id);
  cb.release();
  ASSERT_TRUE(seen(witness, 2));
  EXPECT_EQ(cb.ids(), (std::vector<uint64_t>{1}));
}

} // namespace
} // namespace cafmq
