// CVE-2021-20234 class: a malicious server sends the first frames of a multipart message (MORE
// set, a large one among them) and drops the connection, over and over. The cafmq client must
// reconnect each time, never hand its application those frames (alone, or glued to frames of a
// later connection or of another peer), and keep receiving whole messages from a good server.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_client;
namespace zmtp = test::zmtp;

constexpr auto step = 5000ms;

// Accepts the client's next connection and completes a NULL handshake as a PUSH server; throws
// std::runtime_error naming the step that failed.
raw_client accept_as_push(test::raw_listener& l) {
  auto c = l.accept(step);
  if (!c.send_all(zmtp::concat({zmtp::greeting(), zmtp::ready_socket_type("PUSH")})))
    throw std::runtime_error("sending greeting and READY failed");
  if (c.read_exact(64, step).status != test::read_status::ok)
    throw std::runtime_error("no greeting from the client");
  auto ready = zmtp::read_frame(c, step);
  if (!ready || ready->command_name() != "READY")
    throw std::runtime_error("no READY from the client");
  return c;
}

// True if `m` is exactly a message of the good server or the malicious server's one whole message.
bool is_legitimate(const std::vector<std::string>& f) {
  if (f.size() != 2)
    return false;
  if (f[0] == "whole-a" && f[1] == "whole-b")
    return true;
  return f[0].rfind("good-", 0) == 0 && f[1] == "tail-" + f[0].substr(5);
}

std::string show(const std::vector<std::string>& f) {
  std::string out;
  for (auto& s : f)
    out += "[" + (s.size() > 40 ? s.substr(0, 40) + "...(" + std::to_string(s.size()) + " B)" : s)
           + "]";
  return out;
}

TEST(Cve2021_20234, PartialMultipartFromAMaliciousServerNeverSurfacesAcrossReconnects) {
  constexpr int cycles = 30;
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 10;
  socket pull{ctx, socket_type::pull, o};
  socket good{ctx, socket_type::push, test::no_linger()};
  good.bind("tcp://127.0.0.1:*");
  test::raw_listener evil;
  pull.connect(good.last_endpoint());
  pull.connect(evil.endpoint());

  // The malicious server: each connection gets two frames with MORE (the second 256 KiB), then
  // is dropped; the last connection finally sends one whole message and stays open.
  std::atomic<int> served{0};
  std::atomic<bool> evil_done{false};
  std::string evil_error;
  std::thread server([&] {
    try {
      const std::string big(256 * 1024, 'P');
      for (int i = 0; i < cycles; ++i) {
        auto c = accept_as_push(evil);
        c.send_all(zmtp::concat({zmtp::message_frame("partial-" + std::to_string(i), true),
                                 zmtp::message_frame(big, true)}));
        c.close();
        ++served;
      }
      auto c = accept_as_push(evil);
      c.send_all(zmtp::concat({zmtp::message_frame("whole-a", true), zmtp::message_frame("whole-b")}));
      evil_done = true;
      c.wait_closed(20000ms);  // stays open until the test ends (the client closes)
    } catch (const std::exception& e) {
      evil_error = e.what();
      evil_done = true;
    }
  });

  // Meanwhile the good server streams whole two-frame messages; every message the client's
  // application sees must be one of those or the malicious server's single whole message.
  test::deadline d{30000ms};
  bool whole_seen = false;
  int good_seen = 0, sent = 0;
  while (!d.expired() && !(whole_seen && evil_done && good_seen >= 50)) {
    if (sent - good_seen < 100) {
      auto n = std::to_string(sent++);
      ASSERT_TRUE(good.send(message{"good-" + n, "tail-" + n}, step));
    }
    auto m = pull.recv(5ms);
    if (!m)
      continue;
    auto f = test::frames_of(*m);
    ASSERT_TRUE(is_legitimate(f)) << "the application saw a message made of partial frames: "
                                  << show(f);
    if (f[0] == "whole-a")
      whole_seen = true;
    else
      ++good_seen;
  }
  pull.close();
  server.join();
  EXPECT_TRUE(evil_error.empty()) << evil_error;
  EXPECT_EQ(served.load(), cycles) << "the client stopped reconnecting to the malicious server";
  EXPECT_TRUE(whole_seen) << "the whole message after the partial ones never arrived";
  EXPECT_GE(good_seen, 50) << "the good server's messages stalled";
}

TEST(Cve2021_20234, PartialMessageOfTheOnlyServerIsDiscardedAndTheNextConnectionStartsClean) {
  // One peer only, the same raw server each time: what the client reads first after a
  // reconnect is a fresh message, never the continuation of the dropped one.
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 10;
  socket pull{ctx, socket_type::pull, o};
  test::raw_listener evil;
  pull.connect(evil.endpoint());
  {
    auto c = accept_as_push(evil);
    ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::message_frame("head-1", true),
                                         zmtp::message_frame("head-2", true)})));
  }  // dropped mid-message
  auto c = accept_as_push(evil);
  // The new connection sends the "rest" a glueing client would append, then a whole message.
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::message_frame("tail"), zmtp::message_frame("fresh")})));
  auto m1 = pull.recv(step);
  ASSERT_TRUE(m1.has_value());
  EXPECT_EQ(test::frames_of(*m1), std::vector<std::string>{"tail"})
    << "frames of the dropped connection were glued to the next one";
  auto m2 = pull.recv(step);
  ASSERT_TRUE(m2.has_value());
  EXPECT_EQ(test::frames_of(*m2), std::vector<std::string>{"fresh"});
  EXPECT_FALSE(pull.recv(50ms).has_value());
}

} // namespace
} // namespace cafmq
