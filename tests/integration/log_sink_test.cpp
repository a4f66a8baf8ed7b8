// A program's log sink receives cafmq's lines from its threads, with level and component; and
// the ordinary end of a connection (a STREAM peer the socket closes, a peer that hangs up) is
// logged as info, not as a warning (docs/monitoring.md, Logging).
#include "support/deadline.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/log.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

struct logged {
  log::level lvl;
  std::string component;
  std::string text;
};

// Installs a sink that records every line at level info and above; restores stderr and the
// previous level when it goes.
class recorder {
public:
  recorder() {
    log::set_level(log::level::info);
    log::set_sink([this](log::level l, std::string_view c, std::string_view t) {
      std::lock_guard<std::mutex> guard{mtx_};
      lines_.push_back({l, std::string(c), std::string(t)});
    });
  }
  ~recorder() {
    log::set_sink(nullptr);
    log::set_level(before_);
  }
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  std::vector<logged> lines() {
    std::lock_guard<std::mutex> guard{mtx_};
    return lines_;
  }
  // The first line of `component` whose text contains `part`, waiting up to `budget`.
  std::optional<logged> find(const std::string& component, const std::string& part,
                             std::chrono::milliseconds budget) {
    std::optional<logged> found;
    test::eventually(
      [&] {
        for (auto& l : lines())
          if (l.component == component && l.text.find(part) != std::string::npos) {
            found = l;
            return true;
          }
        return false;
      },
      budget);
    return found;
  }
  std::vector<logged> warnings() {
    std::vector<logged> out;
    for (auto& l : lines())
      if (l.lvl <= log::level::warn)
        out.push_back(l);
    return out;
  }

private:
  log::level before_ = log::current_level();
  std::mutex mtx_;
  std::vector<logged> lines_;
};

std::string describe(const std::vector<logged>& lines) {
  std::string out;
  for (auto& l : lines)
    out += std::string(log::name(l.lvl)) + " " + l.component + ": " + l.text + "\n";
  return out;
}

TEST(LogSink, AStreamConnectionTheSocketClosesIsLoggedAsInfo) {
  recorder rec;
  context ctx;
  socket_options o;
  o.linger_ms = 0;
  socket stream{ctx, socket_type::stream, o};
  stream.bind("tcp://127.0.0.1:*");
  auto client = test::raw_client::connect(stream.last_endpoint(), 5000ms);
  auto hello = stream.recv(5000ms);
  ASSERT_TRUE(hello && hello->size() == 2) << "no connect notification";
  auto id = (*hello)[0].to_string();
  ASSERT_TRUE(stream.send(message{id, ""}, 5000ms));  // close the connection
  EXPECT_TRUE(client.wait_closed(5000ms));
  auto line = rec.find("session", "disconnected", 5000ms);
  ASSERT_TRUE(line) << "no disconnect line reached the sink; got:\n" << describe(rec.lines());
  EXPECT_EQ(line->lvl, log::level::info);
  EXPECT_NE(line->text.find("closed by the socket"), std::string::npos) << line->text;
  EXPECT_TRUE(rec.warnings().empty()) << describe(rec.warnings());
}

TEST(LogSink, APeerThatHangsUpIsLoggedAsInfo) {
  recorder rec;
  context ctx;
  socket_options o;
  o.linger_ms = 0;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  {
    socket push{ctx, socket_type::push, o};
    push.connect(pull.last_endpoint());
    ASSERT_TRUE(push.send(message{"hi"}, 5000ms));
    ASSERT_TRUE(pull.recv(5000ms));
  }  // the PUSH closes: the PULL's session sees the peer hang up
  auto line = rec.find("session", "disconnected", 5000ms);
  ASSERT_TRUE(line) << "no disconnect line reached the sink; got:\n" << describe(rec.lines());
  EXPECT_EQ(line->lvl, log::level::info);
  EXPECT_TRUE(rec.warnings().empty()) << describe(rec.warnings());
}

} // namespace
} // namespace cafmq
