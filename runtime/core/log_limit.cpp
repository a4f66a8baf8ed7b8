// The limiter's windows: one entry per kind and level; lines go out after the lock is released
// (a sink may be slow, and must not be called under our lock).
#include "runtime/core/log_limit.hpp"

#include <utility>
#include <vector>

namespace cafmq::log {

namespace {

// Whole seconds, at least 1: "in the last 10 s".
std::string seconds_text(std::chrono::steady_clock::duration d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d).count();
  return std::to_string(s < 1 ? 1 : s) + " s";
}

std::string key_of(std::string_view kind, level lvl) {
  std::string key;
  key.reserve(kind.size() + 2);
  key.append(kind);
  key.push_back('\0');
  key.push_back(static_cast<char>('0' + static_cast<int>(lvl)));
  return key;
}

} // namespace

limiter::limiter(std::chrono::milliseconds window, now_fn now)
  : window_(window), now_(std::move(now)) {}

void limiter::take_due(clock::time_point now, bool all, std::vector<summary>& out) {
  for (auto i = kinds_.begin(); i != kinds_.end();) {
    auto& w = i->second;
    if (!all && now - w.started < window_) {
      ++i;
      continue;
    }
    if (w.suppressed > 0)
      out.push_back({w.lvl, std::move(w.component),
                     w.kind + ": ... and " + std::to_string(w.suppressed) + " more in the last "
                       + seconds_text(now - w.started)});
    i = kinds_.erase(i);  // the next line of this kind starts a new window, and is written
  }
}

void limiter::write(level lvl, std::string_view component, std::string_view kind,
                    std::string_view text) {
  if (!enabled(lvl))
    return;
  auto key = key_of(kind, lvl);
  std::vector<summary> due;
  bool first = false;
  clock::time_point arm_at{};
  bool arm_now = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto now = now_();
    take_due(now, false, due);
    auto i = kinds_.find(key);
    if (i == kinds_.end()) {
      first = true;
      kinds_.emplace(std::move(key),
                     window_state{now, 0, lvl, std::string(kind), std::string(component)});
    } else if (++i->second.suppressed == 1) {
      arm_now = true;
      arm_at = i->second.started + window_;
    }
  }
  for (auto& s : due)
    log::write(s.lvl, s.component, s.text);
  if (first)
    log::write(lvl, component, text);
  if (arm_now)
    arm(arm_at);
}

void limiter::arm(clock::time_point due) {
  std::lock_guard<std::mutex> guard{sched_mtx_};
  if (!schedulers_.empty())
    schedulers_.rbegin()->second(due);
}

void limiter::flush() {
  std::vector<summary> due;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    take_due(now_(), false, due);
  }
  for (auto& s : due)
    log::write(s.lvl, s.component, s.text);
}

void limiter::flush_all() {
  std::vector<summary> due;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    take_due(now_(), true, due);
  }
  for (auto& s : due)
    log::write(s.lvl, s.component, s.text);
}

uint64_t limiter::suppressed(std::string_view kind) const {
  std::lock_guard<std::mutex> guard{mtx_};
  uint64_t n = 0;
  for (const auto& [key, w] : kinds_)
    if (w.kind == kind)
      n += w.suppressed;
  return n;
}

void limiter::set_window(std::chrono::milliseconds window) {
  std::lock_guard<std::mutex> guard{mtx_};
  window_ = window;
}

uint64_t limiter::add_scheduler(arm_fn arm) {
  std::lock_guard<std::mutex> guard{sched_mtx_};
  auto id = ++last_scheduler_;
  schedulers_.emplace(id, std::move(arm));
  return id;
}

void limiter::remove_scheduler(uint64_t id) {
  std::lock_guard<std::mutex> guard{sched_mtx_};
  schedulers_.erase(id);
}

// Never destroyed: cafmq's threads may still log while the program's statics are destroyed.
limiter& process_limiter() {
  static auto* l = new limiter;
  return *l;
}

void write_limited(level lvl, std::string_view component, std::string_view kind,
                   std::string_view text) {
  process_limiter().write(lvl, component, kind, text);
}

void flush_limited() {
  process_limiter().flush();
}

} // namespace cafmq::log
