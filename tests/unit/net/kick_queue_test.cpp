// kick_queue: kicks from other threads run on the I/O thread, coalesce, and are never lost.
#include "net/io_loop.hpp"
#include "net/kick_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Records what each run saw of `requested` (the state a kick announces), and where it ran.
class counter final : public cafmq::net::kickable {
public:
  std::atomic<uint64_t> requested{0};

  void on_kick() noexcept override {
    std::lock_guard<std::mutex> guard{mtx_};
    ++runs_;
    seen_ = requested.load(std::memory_order_relaxed);
    thread_ = std::this_thread::get_id();
    changed_.notify_all();
  }
  // Waits (with a deadline) until a run has seen `value`.
  bool wait_seen(uint64_t value, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock{mtx_};
    return changed_.wait_for(lock, timeout, [&] { return seen_ >= value; });
  }
  uint64_t runs() {
    std::lock_guard<std::mutex> guard{mtx_};
    return runs_;
  }
  std::thread::id thread() {
    std::lock_guard<std::mutex> guard{mtx_};
    return thread_;
  }

private:
  std::mutex mtx_;
  std::condition_variable changed_;
  uint64_t runs_ = 0;
  uint64_t seen_ = 0;
  std::thread::id thread_;
};

// Kicks `target` after announcing each of `count` new states.
void kick_many(cafmq::net::kick_queue& q, const std::shared_ptr<counter>& target, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i) {
    target->requested.fetch_add(1, std::memory_order_relaxed);
    q.kick(target);
  }
}

TEST(kick_queue, a_kick_runs_the_target_on_the_io_thread) {
  cafmq::net::io_loop loop;
  auto target = std::make_shared<counter>();
  kick_many(loop.kicks(), target, 1);
  ASSERT_TRUE(target->wait_seen(1));
  EXPECT_EQ(target->runs(), 1u);
  std::thread::id io_thread;
  std::promise<void> asked;
  loop.post([&] {
    io_thread = std::this_thread::get_id();
    asked.set_value();
  });
  asked.get_future().wait();
  EXPECT_EQ(target->thread(), io_thread);
}

TEST(kick_queue, a_kick_while_the_target_runs_is_not_lost) {
  // Ping-pong: each new state is announced right after a run has seen the previous one, often
  // while that run is still under way; every one of them must be seen (a lost wake-up would
  // leave it unseen until the deadline).
  cafmq::net::io_loop loop;
  constexpr uint64_t rounds = 3000;
  std::vector<std::shared_ptr<counter>> targets{std::make_shared<counter>(), std::make_shared<counter>()};
  std::vector<std::thread> kickers;
  std::atomic<uint64_t> lost{0};
  for (auto& target : targets)
    kickers.emplace_back([&loop, &lost, target] {
      for (uint64_t i = 1; i <= rounds; ++i) {
        kick_many(loop.kicks(), target, 1);
        if (!target->wait_seen(i, 5s)) {
          lost.fetch_add(1);
          return;
        }
      }
    });
  for (auto& k : kickers)
    k.join();
  EXPECT_EQ(lost.load(), 0u) << "a kick was lost";
}

TEST(kick_queue, kicks_to_a_queued_target_coalesce_and_the_last_is_seen) {
  cafmq::net::io_loop loop;
  constexpr uint64_t per_thread = 200000;
  auto target = std::make_shared<counter>();
  std::vector<std::thread> kickers;
  for (int t = 0; t < 3; ++t)
    kickers.emplace_back([&] { kick_many(loop.kicks(), target, per_thread); });
  for (auto& k : kickers)
    k.join();
  ASSERT_TRUE(target->wait_seen(3 * per_thread)) << "the last kick was lost";
  // Three kickers in a tight loop against one I/O thread that needs system calls per run: far
  // fewer runs than kicks (a third is a wide margin, under sanitizers too).
  EXPECT_LT(target->runs(), per_thread) << "kicks to a queued target should coalesce";
}

// Tells a flag that it ran (the flag outlives it).
class probe final : public cafmq::net::kickable {
public:
  explicit probe(std::shared_ptr<std::atomic<bool>> ran) : ran_(std::move(ran)) {}
  void on_kick() noexcept override { ran_->store(true); }

private:
  std::shared_ptr<std::atomic<bool>> ran_;
};

TEST(kick_queue, the_queue_keeps_a_kicked_target_alive_until_it_ran) {
  cafmq::net::io_loop loop;
  std::promise<void> release;
  auto released = release.get_future().share();
  // Holds the I/O thread, so the kick below is still queued when the kicker drops its reference.
  loop.post([released] { released.wait(); });
  auto ran = std::make_shared<std::atomic<bool>>(false);
  auto target = std::make_shared<probe>(ran);
  std::weak_ptr<probe> watch = target;
  loop.kicks().kick(std::move(target));
  EXPECT_FALSE(watch.expired()) << "the queue holds the target while it waits to run";
  release.set_value();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!watch.expired() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();  // the queue drops its reference right after the run
  EXPECT_TRUE(watch.expired());
  EXPECT_TRUE(ran->load()) << "it ran before it went";
}

TEST(kick_queue, kicks_left_queued_at_shutdown_are_released) {
  auto target = std::make_shared<counter>();
  std::weak_ptr<counter> watch = target;
  {
    cafmq::net::io_loop loop;
    loop.stop();  // nothing runs kicks any more
    kick_many(loop.kicks(), target, 1);
    target.reset();
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired()) << "the queue's reference goes with the loop";
}

} // namespace
