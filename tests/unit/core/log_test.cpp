// cafmq::log: the level set from the API, level names, and a user sink that receives each line
// with its level and component (and stderr again once it is removed).
#include "runtime/core/log.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace cafmq::log {
namespace {

struct line {
  level lvl;
  std::string component;
  std::string text;
};

// Captures lines while alive; restores stderr and the previous level on destruction.
struct capture {
  std::mutex mtx;
  std::vector<line> lines;
  level before = current_level();
  capture() {
    set_sink([this](level l, std::string_view c, std::string_view t) {
      std::lock_guard<std::mutex> guard{mtx};
      lines.push_back({l, std::string(c), std::string(t)});
    });
  }
  ~capture() {
    set_sink(nullptr);
    set_level(before);
  }
};

TEST(Log, TheSinkGetsEachEnabledLineWithItsLevelAndComponent) {
  capture cap;
  set_level(level::info);
  write(level::info, "unit", "hello");
  write(level::warn, "unit", "careful");
  write(level::debug, "unit", "not shown at info");
  ASSERT_EQ(cap.lines.size(), 2u);
  EXPECT_EQ(cap.lines[0].lvl, level::info);
  EXPECT_EQ(cap.lines[0].component, "unit");
  EXPECT_EQ(cap.lines[0].text, "hello");
  EXPECT_EQ(cap.lines[1].lvl, level::warn);
  EXPECT_EQ(cap.lines[1].text, "careful");
}

TEST(Log, SetLevelChangesWhatIsEnabled) {
  capture cap;
  set_level(level::error);
  EXPECT_TRUE(enabled(level::error));
  EXPECT_FALSE(enabled(level::warn));
  write(level::warn, "unit", "filtered");
  EXPECT_TRUE(cap.lines.empty());
  set_level(level::debug);
  EXPECT_EQ(current_level(), level::debug);
  EXPECT_TRUE(enabled(level::debug));
}

TEST(Log, ASinkRemovedIsNotCalledAgain) {
  int calls = 0;
  auto before = current_level();
  set_level(level::warn);
  set_sink([&](level, std::string_view, std::string_view) { ++calls; });
  write(level::warn, "unit", "to the sink");
  set_sink(nullptr);
  testing::internal::CaptureStderr();
  write(level::warn, "unit", "to stderr");
  auto err = testing::internal::GetCapturedStderr();
  set_level(before);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(err, "cafmq warn unit: to stderr\n");
}

TEST(Log, AThrowingSinkDoesNotEscape) {
  capture cap;  // restores afterwards
  set_level(level::warn);
  set_sink([](level, std::string_view, std::string_view) { throw std::runtime_error("sink"); });
  EXPECT_NO_THROW(write(level::warn, "unit", "text"));
}

// What a sink owns may log as it is destroyed (a logger that closes a cafmq socket, say): it is
// destroyed after the new sink is in place and outside the sink lock, so the line reaches the new
// sink instead of deadlocking set_sink (ctest's timeout ends the run if it does).
TEST(Log, ASinkWhoseStateLogsAsItIsDestroyedIsReplacedWithoutDeadlock) {
  struct logs_when_destroyed {
    logs_when_destroyed() = default;
    logs_when_destroyed(const logs_when_destroyed&) = delete;
    logs_when_destroyed& operator=(const logs_when_destroyed&) = delete;
    ~logs_when_destroyed() { write(level::warn, "unit", "old sink's state destroyed"); }
  };
  auto state = std::make_shared<logs_when_destroyed>();
  auto before = current_level();
  set_level(level::warn);
  set_sink([state](level, std::string_view, std::string_view) {});
  state.reset();  // the sink holds the last reference
  capture cap;    // replaces the sink: the old one's state logs while it goes
  set_level(level::warn);
  ASSERT_EQ(cap.lines.size(), 1U);
  EXPECT_EQ(cap.lines[0].text, "old sink's state destroyed");
  set_level(before);
}

TEST(Log, LevelNamesParseBack) {
  for (auto l : {level::error, level::warn, level::info, level::debug})
    EXPECT_EQ(parse_level(name(l)), l);
  EXPECT_FALSE(parse_level("verbose").has_value());
  EXPECT_FALSE(parse_level("").has_value());
}

} // namespace
} // namespace cafmq::log
