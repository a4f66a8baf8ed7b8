// The log's level (an atomic, read on every enabled() check) and its sink (a shared mutex: lines
// are written in parallel, set_sink waits for the lines in progress). One write per line so that
// concurrent lines do not interleave on stderr.
#include "runtime/core/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

namespace cafmq::log {

namespace {

level level_from_environment() {
  const char* env = std::getenv("CAFMQ_LOG");
  return parse_level(env ? env : "").value_or(level::warn);
}

std::atomic<int>& threshold() {
  static std::atomic<int> t{static_cast<int>(level_from_environment())};
  return t;
}

struct sink_slot {
  std::shared_mutex mtx;
  sink current;  // empty: stderr
};

// Never destroyed: cafmq's threads may still log while the program's statics are destroyed.
sink_slot& slot() {
  static auto* s = new sink_slot;
  return *s;
}

void to_stderr(level lvl, std::string_view component, std::string_view text) {
  std::string line = "cafmq ";
  line += name(lvl);
  line += ' ';
  line += component;
  line += ": ";
  line += text;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace

std::string_view name(level lvl) noexcept {
  switch (lvl) {
    case level::error: return "error";
    case level::warn: return "warn";
    case level::info: return "info";
    case level::debug: return "debug";
  }
  return "?";
}

std::optional<level> parse_level(std::string_view text) noexcept {
  for (auto l : {level::error, level::warn, level::info, level::debug})
    if (text == name(l))
      return l;
  return std::nullopt;
}

bool enabled(level lvl) noexcept {
  return static_cast<int>(lvl) <= threshold().load(std::memory_order_relaxed);
}

void set_level(level lvl) noexcept {
  threshold().store(static_cast<int>(lvl), std::memory_order_relaxed);
}

level current_level() noexcept {
  return static_cast<level>(threshold().load(std::memory_order_relaxed));
}

void set_sink(sink s) {
  auto& sl = slot();
  sink previous;
  {
    std::unique_lock<std::shared_mutex> guard{sl.mtx};
    previous = std::exchange(sl.current, std::move(s));
  }
  // Destroyed unlocked: whatever the old sink owned may log (or close a cafmq socket that logs)
  // as it goes, and must find the new sink in place rather than wait on our own lock.
}

void write(level lvl, std::string_view component, std::string_view text) {
  if (!enabled(lvl))
    return;
  auto& sl = slot();
  std::shared_lock<std::shared_mutex> guard{sl.mtx};
  if (!sl.current) {
    to_stderr(lvl, component, text);
    return;
  }
  try {
    sl.current(lvl, component, text);
  } catch (...) {
    // A sink must not throw; a line is not worth unwinding cafmq's threads for.
  }
}

} // namespace cafmq::log
