// A map of one-shot waiters under a mutex; freed() takes them all out and calls them unlocked.
#include "net/descriptor_watch.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <utility>

namespace cafmq::net::descriptor_watch {

namespace {

struct waiters {
  std::mutex mtx;
  std::map<uint64_t, std::function<void()>> pending;
  uint64_t last = 0;
  std::atomic<size_t> count{0};
  std::atomic<uint64_t> generation{0};
};

// Never destroyed: I/O threads may close connections while the program's statics go.
waiters& all() {
  static auto* w = new waiters;
  return *w;
}

} // namespace

uint64_t wait(std::function<void()> wake) {
  auto& w = all();
  std::lock_guard<std::mutex> guard{w.mtx};
  w.pending.emplace(++w.last, std::move(wake));
  w.count.store(w.pending.size());  // seq_cst: ordered with generation() (see freed)
  return w.last;
}

void cancel(uint64_t id) noexcept {
  auto& w = all();
  std::function<void()> gone;  // destroyed unlocked
  std::lock_guard<std::mutex> guard{w.mtx};
  auto i = w.pending.find(id);
  if (i == w.pending.end())
    return;
  gone = std::move(i->second);
  w.pending.erase(i);
  w.count.store(w.pending.size(), std::memory_order_relaxed);
}

void freed() noexcept {
  auto& w = all();
  w.generation.fetch_add(1);  // seq_cst, like wait's store and generation(): either this load
  if (w.count.load() == 0)    // sees a new waiter, or that waiter's generation() sees this bump
    return;
  std::map<uint64_t, std::function<void()>> woken;
  {
    std::lock_guard<std::mutex> guard{w.mtx};
    woken.swap(w.pending);
    w.count.store(0, std::memory_order_relaxed);
  }
  for (auto& [id, wake] : woken) {
    try {
      wake();
    } catch (...) {
      // Out of memory for the post: the waiter's back-off timer resumes it anyway.
    }
  }
}

uint64_t generation() noexcept {
  return all().generation.load();
}

} // namespace cafmq::net::descriptor_watch
