// The event fan-out and the bounded event queue behind event_stream.
#include "runtime/core/monitor_hub.hpp"

#include "runtime/core/log.hpp"

#include <algorithm>
#include <future>

namespace cafmq {

void event_queue::push(const monitor_event& e) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (events_.size() >= capacity_) {
      events_.pop_front();  // the oldest goes: the newest says most about the present
      ++dropped_;
    }
    events_.push_back(e);
  }
  cv_.notify_one();
}

std::optional<monitor_event> event_queue::pop_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_until(lock, deadline, [this] { return !events_.empty(); });
  if (events_.empty())
    return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

uint64_t event_queue::dropped() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return dropped_;
}

struct monitor_hub::entry {
  sink fn;
  bool queued = false;  // runs on `executor`, else on the emitting thread
  // Weak: the tasks queued on the executor hold this entry, so a strong reference would let
  // the executor's last owner be its own task (a thread that cannot join itself).
  std::weak_ptr<user_executor> executor;
  std::atomic<bool> live{true};   // false once removed: queued calls are skipped
  std::atomic<uint64_t> dropped{0};
};

void monitor_hub::emit(const monitor_event& e) {
  if (!active())
    return;
  std::vector<std::shared_ptr<entry>> targets;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    targets.reserve(sinks_.size());
    for (auto& s : sinks_)
      targets.push_back(s.second);
  }
  for (auto& t : targets)  // outside the lock: a sink may add or remove sinks
    deliver(t, e);
}

void monitor_hub::deliver(const std::shared_ptr<entry>& to, const monitor_event& e) {
  if (!to->queued)
    return to->fn(e);
  auto executor = to->executor.lock();  // gone: the context is closed, nothing runs any more
  bool queued = executor && executor->post([to, e] {
    if (to->live.load(std::memory_order_acquire))
      to->fn(e);
  });
  if (queued)
    return;
  auto n = to->dropped.fetch_add(1, std::memory_order_relaxed) + 1;
  if ((n & (n - 1)) == 0)  // 1st, 2nd, 4th...: a flood logs little
    log::write(log::level::warn, "monitor",
               "an event callback's queue is full: event dropped for it (" + std::to_string(n)
                 + " so far)");
}

uint64_t monitor_hub::add_sink(sink fn) {
  return add_callback(std::move(fn), nullptr);
}

uint64_t monitor_hub::add_callback(sink fn, const user_executor_ptr& executor) {
  auto en = std::make_shared<entry>();
  en->fn = std::move(fn);
  en->queued = executor != nullptr;
  en->executor = executor;
  std::lock_guard<std::mutex> guard{mtx_};
  sinks_.emplace_back(++last_sink_, std::move(en));
  sinks_count_.store(sinks_.size(), std::memory_order_relaxed);
  return last_sink_;
}

uint64_t monitor_hub::dropped(uint64_t id) const {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& s : sinks_)
    if (s.first == id)
      return s.second->dropped.load(std::memory_order_relaxed);
  return 0;
}

void monitor_hub::remove_sink(uint64_t id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto gone = std::remove_if(sinks_.begin(), sinks_.end(), [id](const auto& s) {
    if (s.first != id)
      return false;
    s.second->live.store(false, std::memory_order_release);
    return true;
  });
  sinks_.erase(gone, sinks_.end());
  sinks_count_.store(sinks_.size(), std::memory_order_relaxed);
}

void drain_callbacks(user_executor& executor) {
  if (executor.on_own_thread())
    return;  // a callback closing the context: what is queued runs after it
  auto done = std::make_shared<std::promise<void>>();
  auto ran = done->get_future();
  if (!executor.post([done] { done->set_value(); }))
    return;
  // Bounded: a callback that never returns must not hang close() (as user_executor::stop).
  if (ran.wait_for(user_executor::default_stop_bound) != std::future_status::ready)
    log::write(log::level::error, "monitor",
               "a monitor callback has not returned within "
                 + std::to_string(user_executor::default_stop_bound.count())
                 + " ms; closing without waiting for the callbacks queued behind it");
}

event_stream::event_stream(const monitor_hub_ptr& hub, size_t capacity)
  : hub_(hub), queue_(std::make_shared<event_queue>(std::max<size_t>(capacity, 1))) {
  std::weak_ptr<event_queue> weak = queue_;
  sink_id_ = hub->add_sink([weak](const monitor_event& e) {
    if (auto q = weak.lock())
      q->push(e);
  });
}

event_stream::~event_stream() {
  if (auto hub = hub_.lock(); hub && queue_)
    hub->remove_sink(sink_id_);
}

std::optional<monitor_event> event_stream::next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + std::max(timeout, std::chrono::milliseconds{0});
  return queue_->pop_until(deadline);
}

uint64_t event_stream::dropped() const {
  return queue_->dropped();
}

size_t event_stream::capacity() const noexcept {
  return queue_->capacity();
}

} // namespace cafmq
