// The limiter's windows: one entry per kind, written lines go out after the lock is released
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

} // namespace

limiter::limiter(std::chrono::milliseconds window, now_fn now)
  : window_(window), now_(std::move(now)) {}

void limiter::take_due(clock::time_point now, std::vector<summary>& out) {
  for (auto i = kinds_.begin(); i != kinds_.end();) {
    auto& w = i->second;
    if (now - w.started < window_) {
      ++i;
      continue;
    }
    if (w.suppressed > 0)
      out.push_back({w.lvl, w.component,
                     i->first + ": ... and " + std::to_string(w.suppressed) + " more in the last "
                       + seconds_text(now - w.started)});
    i = kinds_.erase(i);  // the next line of this kind starts a new window, and is written
  }
}

void limiter::write(level lvl, std::string_view component, std::string_view kind,
                    std::string_view text) {
  if (!enabled(lvl))
    return;
  std::vector<summary> due;
  bool first = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto now = now_();
    take_due(now, due);
    auto i = kinds_.find(kind);
    if (i == kinds_.end()) {
      first = true;
      kinds_.emplace(std::string(kind), window_state{now, 0, lvl, std::string(component)});
    } else {
      ++i->second.suppressed;
    }
  }
  for (auto& s : due)
    log::write(s.lvl, s.component, s.text);
  if (first)
    log::write(lvl, component, text);
}

void limiter::flush() {
  std::vector<summary> due;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    take_due(now_(), due);
  }
  for (auto& s : due)
    log::write(s.lvl, s.component, s.text);
}

uint64_t limiter::suppressed(std::string_view kind) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = kinds_.find(kind);
  return i == kinds_.end() ? 0 : i->second.suppressed;
}

namespace {

// Never destroyed: cafmq's threads may still log while the program's statics are destroyed.
limiter& process_limiter() {
  static auto* l = new limiter;
  return *l;
}

} // namespace

void write_limited(level lvl, std::string_view component, std::string_view kind,
                   std::string_view text) {
  process_limiter().write(lvl, component, kind, text);
}

void flush_limited() {
  process_limiter().flush();
}

} // namespace cafmq::log
