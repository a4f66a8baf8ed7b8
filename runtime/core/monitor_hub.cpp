// The event fan-out and the bounded event queue behind event_stream.
#include "runtime/core/monitor_hub.hpp"

#include <algorithm>

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

void monitor_hub::emit(const monitor_event& e) {
  if (!active())
    return;
  std::vector<std::shared_ptr<sink>> targets;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    targets.reserve(sinks_.size());
    for (auto& s : sinks_)
      targets.push_back(s.second);
  }
  for (auto& t : targets)  // outside the lock: a sink may add or remove sinks
    (*t)(e);
}

uint64_t monitor_hub::add_sink(sink fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  sinks_.emplace_back(++last_sink_, std::make_shared<sink>(std::move(fn)));
  sinks_count_.store(sinks_.size(), std::memory_order_relaxed);
  return last_sink_;
}

void monitor_hub::remove_sink(uint64_t id) {
  std::lock_guard<std::mutex> guard{mtx_};
  sinks_.erase(std::remove_if(sinks_.begin(), sinks_.end(),
                              [id](const auto& s) { return s.first == id; }),
               sinks_.end());
  sinks_count_.store(sinks_.size(), std::memory_order_relaxed);
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
