// `cafmq ... --events`: monitor events as JSON lines on stderr, parsed here, while stdout carries
// only messages; and the reconnect and send-timeout options of the CLI.
#include "support/child_process.hpp"
#include "support/deadline.hpp"
#include "support/ports.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <sstream>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;

using json_object = std::map<std::string, std::string>;  // numbers kept as their text

// Parses one flat JSON object of string and integer values (what --events prints); nullopt if
// the line is not one.
std::optional<json_object> parse_flat_json(const std::string& line) {
  json_object out;
  size_t i = 0;
  auto string_at = [&](std::string& s) {
    if (i >= line.size() || line[i] != '"')
      return false;
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\') {
        s += line[i];
        continue;
      }
      if (++i >= line.size())
        return false;
      if (line[i] == 'u') {
        if (i + 4 >= line.size())
          return false;
        s += static_cast<char>(std::stoi(line.substr(i + 1, 4), nullptr, 16));
        i += 4;
      } else {
        s += line[i];
      }
    }
    return i++ < line.size();
  };
  if (line.empty() || line[i++] != '{')
    return std::nullopt;
  while (i < line.size() && line[i] != '}') {
    std::string key, value;
    if (!string_at(key) || i >= line.size() || line[i++] != ':')
      return std::nullopt;
    if (i < line.size() && line[i] == '"') {
      if (!string_at(value))
        return std::nullopt;
    } else {
      while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])))
        value += line[i++];
      if (value.empty())
        return std::nullopt;
    }
    out[key] = value;
    if (i < line.size() && line[i] == ',')
      ++i;
  }
  if (i + 1 != line.size())
    return std::nullopt;
  return out;
}

// The event lines of a stderr capture; fails the test on a line that looks like JSON but is not.
std::vector<json_object> events_of(const std::string& err) {
  std::vector<json_object> out;
  std::istringstream lines{err};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{')
      continue;
    auto obj = parse_flat_json(line);
    if (!obj) {
      ADD_FAILURE() << "not a JSON object: " << line;
      continue;
    }
    out.push_back(*obj);
  }
  return out;
}

std::vector<std::string> kinds(const std::vector<json_object>& events) {
  std::vector<std::string> out;
  for (auto& e : events)
    out.push_back(e.at("event"));
  return out;
}

TEST(CliEvents, RecvAndSendPrintTheirMonitorEventsAsJsonLinesOnStderrOnly) {
  child_process recv{{cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--count", "1",
                      "--timeout-ms", "20000", "--events"}};
  auto bound = recv.wait_for_line("bound ", 20000ms);
  ASSERT_FALSE(bound.empty()) << "recv never reported its port";
  auto ep = bound.substr(6);
  auto s = test::run_process({cli, "send", "--type", "push", "--connect", ep, "--linger-ms",
                              "10000", "--events", "hello"},
                             30000ms);
  auto r = recv.wait(30000ms);
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "[\"hello\"]\n") << "events leaked into stdout";
  EXPECT_EQ(s.out, "");

  auto server = events_of(r.err);
  auto sk = kinds(server);
  ASSERT_GE(server.size(), 4u) << r.err;
  EXPECT_EQ(sk[0], "listening") << r.err;
  EXPECT_EQ(server[0].at("endpoint"), ep);
  EXPECT_EQ(sk[1], "accepted") << r.err;
  EXPECT_EQ(server[1].at("local"), ep);
  EXPECT_EQ(sk[2], "handshake_succeeded") << r.err;
  EXPECT_EQ(server[2].at("zmtp"), "3.1");
  EXPECT_EQ(server[2].at("mechanism"), "NULL");
  EXPECT_EQ(server[2].at("connection_id"), server[1].at("connection_id"));
  EXPECT_NE(std::find(sk.begin() + 3, sk.end(), "closed"), sk.end()) << r.err;  // see below

  auto client = events_of(s.err);
  auto ck = kinds(client);
  ASSERT_GE(client.size(), 4u) << s.err;
  EXPECT_EQ(ck[0], "connect_delayed") << s.err;
  EXPECT_EQ(ck[1], "connected") << s.err;
  EXPECT_EQ(client[1].at("remote"), ep);
  EXPECT_EQ(ck[2], "handshake_succeeded") << s.err;
  // The receiver may exit (after its one message) while the sender closes: its `disconnected`
  // can come after the sender's `closed`, whose place is therefore not fixed.
  EXPECT_NE(std::find(ck.begin() + 3, ck.end(), "closed"), ck.end()) << s.err;
}

TEST(CliEvents, ReconnectOptionsShapeTheIntervalsOfConnectRetried) {
  auto nowhere = test::local_endpoint(test::free_tcp_port());
  auto r = test::run_process({cli, "recv", "--type", "pull", "--connect", nowhere,
                              "--reconnect-ivl-ms", "10", "--reconnect-ivl-max-ms", "40",
                              "--reconnect-max-attempts", "4", "--timeout-ms", "1500", "--events"},
                             30000ms);
  EXPECT_EQ(r.exit_code, 1) << r.describe();  // nothing to receive: the timeout
  std::vector<std::string> waits;
  std::string closed_reason;
  for (auto& e : events_of(r.err)) {
    if (e.at("event") == "connect_retried") {
      waits.push_back(e.at("retry_ivl_ms"));
      EXPECT_EQ(e.at("reason_code"), "refused");
    }
    if (e.at("event") == "closed" && closed_reason.empty())
      closed_reason = e.at("reason_code");
  }
  EXPECT_EQ(waits, (std::vector<std::string>{"10", "20", "40", "40"})) << r.err;
  EXPECT_EQ(closed_reason, "gave_up") << r.err;
}

TEST(CliOptions, SndtimeoMsBoundsASendThatHasNoPeer) {
  auto start = test::clock::now();
  auto r = test::run_process({cli, "send", "--type", "push", "--bind", "tcp://127.0.0.1:*",
                              "--sndtimeo-ms", "100", "x"},
                             30000ms);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("send timed out"), std::string::npos) << r.err;
  EXPECT_LT(test::elapsed_ms(start), 20000);
}

TEST(CliOptions, AnInvalidReconnectCombinationIsRejectedNamingTheOption) {
  auto r = test::run_process({cli, "recv", "--type", "pull", "--connect", "tcp://127.0.0.1:9",
                              "--reconnect-ivl-ms", "100", "--reconnect-ivl-max-ms", "50"},
                             30000ms);
  EXPECT_EQ(r.exit_code, 2) << r.describe();  // a usage error, found before anything runs
  EXPECT_NE(r.err.find("--reconnect-ivl-max-ms"), std::string::npos) << r.err;
}

} // namespace
} // namespace cafmq
