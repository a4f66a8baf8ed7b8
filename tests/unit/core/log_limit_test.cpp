// log::limiter on a clock the test moves: the first line of a kind is written, the rest of its
// window is counted, and the summary comes once the window is over (with the next line, or a
// flush); kinds are counted apart.
#include "runtime/core/log_limit.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

namespace cafmq::log {
namespace {

using namespace std::chrono_literals;

// Captures the lines at warn and above; restores stderr and the level afterwards.
struct capture {
  std::mutex mtx;
  std::vector<std::string> lines;
  level before = current_level();
  capture() {
    set_level(level::warn);
    set_sink([this](level, std::string_view c, std::string_view t) {
      std::lock_guard<std::mutex> guard{mtx};
      lines.push_back(std::string(c) + ": " + std::string(t));
    });
  }
  ~capture() {
    set_sink(nullptr);
    set_level(before);
  }
};

struct fake_clock {
  limiter::clock::time_point now{};
  limiter::now_fn fn() {
    return [this] { return now; };
  }
};

TEST(LogLimit, AFloodOfOneKindIsOneLineThenOneSummary) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  for (int i = 0; i < 10000; ++i) {
    lim.write(level::warn, "listener", "accept failed", "accept failed: " + std::to_string(i));
    t.now += 100us;  // one second in all
  }
  ASSERT_EQ(cap.lines.size(), 1U);
  EXPECT_EQ(cap.lines[0], "listener: accept failed: 0");
  EXPECT_EQ(lim.suppressed("accept failed"), 9999U);
  t.now += 9s;  // 10 s after the first line: its window is over
  lim.flush();
  ASSERT_EQ(cap.lines.size(), 2U);
  EXPECT_EQ(cap.lines[1], "listener: accept failed: ... and 9999 more in the last 10 s");
  lim.flush();  // nothing more to say
  EXPECT_EQ(cap.lines.size(), 2U);
}

TEST(LogLimit, TheNextLineAfterTheWindowBringsTheSummaryAndIsWritten) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  lim.write(level::warn, "session", "handshake failed", "first");
  lim.write(level::warn, "session", "handshake failed", "second");
  lim.write(level::warn, "session", "handshake failed", "third");
  t.now += 12s;
  lim.write(level::warn, "session", "handshake failed", "fourth");
  ASSERT_EQ(cap.lines.size(), 3U);
  EXPECT_EQ(cap.lines[0], "session: first");
  EXPECT_EQ(cap.lines[1], "session: handshake failed: ... and 2 more in the last 12 s");
  EXPECT_EQ(cap.lines[2], "session: fourth");
  EXPECT_EQ(lim.suppressed("handshake failed"), 0U);
}

TEST(LogLimit, AQuietKindWritesEveryLineAndNoSummary) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  for (int i = 0; i < 3; ++i) {
    lim.write(level::warn, "listener", "evicted", "line " + std::to_string(i));
    t.now += 11s;
  }
  lim.flush();
  ASSERT_EQ(cap.lines.size(), 3U);
  EXPECT_EQ(cap.lines[2], "listener: line 2");
}

TEST(LogLimit, KindsAreCountedApartAndAnotherKindFlushesADueSummary) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  lim.write(level::warn, "listener", "a", "a1");
  lim.write(level::warn, "listener", "b", "b1");
  lim.write(level::warn, "listener", "a", "a2");
  EXPECT_EQ(lim.suppressed("a"), 1U);
  EXPECT_EQ(lim.suppressed("b"), 0U);
  t.now += 10s;
  lim.write(level::warn, "listener", "c", "c1");  // a's window is over: its summary first
  ASSERT_EQ(cap.lines.size(), 4U);
  EXPECT_EQ(cap.lines[2], "listener: a: ... and 1 more in the last 10 s");
  EXPECT_EQ(cap.lines[3], "listener: c1");
}

TEST(LogLimit, TheFirstCountedLineArmsOneFlushAtTheWindowsEnd) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  std::vector<limiter::clock::time_point> armed;
  auto id = lim.add_scheduler([&](limiter::clock::time_point due) { armed.push_back(due); });
  auto start = t.now;
  lim.write(level::warn, "session", "k", "first");  // written: nothing to arm
  EXPECT_TRUE(armed.empty());
  for (int i = 0; i < 100; ++i)
    lim.write(level::warn, "session", "k", "again");
  ASSERT_EQ(armed.size(), 1U);  // once per window, not per line
  EXPECT_EQ(armed[0], start + 10s);
  t.now = armed[0];  // the scheduler's call, with no further line
  lim.flush();
  ASSERT_EQ(cap.lines.size(), 2U);
  EXPECT_EQ(cap.lines[1], "session: k: ... and 100 more in the last 10 s");
  lim.remove_scheduler(id);
  lim.write(level::warn, "session", "k", "new window");
  lim.write(level::warn, "session", "k", "counted");
  EXPECT_EQ(armed.size(), 1U);  // unregistered: not called
}

TEST(LogLimit, LevelsAreCountedApartAndFlushAllWritesOpenWindows) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  lim.write(level::warn, "session", "k", "warn 1");
  lim.write(level::error, "session", "k", "error 1");  // not hidden by the warning's window
  lim.write(level::warn, "session", "k", "warn 2");
  EXPECT_EQ(cap.lines.size(), 2U);
  EXPECT_EQ(lim.suppressed("k"), 1U);
  t.now += 3s;
  lim.flush();  // the window is still open
  EXPECT_EQ(cap.lines.size(), 2U);
  lim.flush_all();  // at close: the summary says how long it really counted
  ASSERT_EQ(cap.lines.size(), 3U);
  EXPECT_EQ(cap.lines[2], "session: k: ... and 1 more in the last 3 s");
}

TEST(LogLimit, TheWindowCanBeChanged) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  lim.set_window(1s);
  lim.write(level::warn, "listener", "k", "one");
  lim.write(level::warn, "listener", "k", "two");
  t.now += 1s;
  lim.flush();
  ASSERT_EQ(cap.lines.size(), 2U);
  EXPECT_EQ(cap.lines[1], "listener: k: ... and 1 more in the last 1 s");
}

TEST(LogLimit, ADisabledLevelIsNeitherWrittenNorCounted) {
  capture cap;
  fake_clock t;
  limiter lim{10s, t.fn()};
  lim.write(level::info, "session", "k", "not at warn");
  lim.write(level::info, "session", "k", "not at warn");
  EXPECT_TRUE(cap.lines.empty());
  EXPECT_EQ(lim.suppressed("k"), 0U);
}

} // namespace
} // namespace cafmq::log
