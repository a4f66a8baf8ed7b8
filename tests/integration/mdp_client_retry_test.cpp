// mdp::client against a broker double (a raw ROUTER and the MDP codec): the request's frames on
// the wire, the retry on a new socket after a timeout (a late reply to the old one never taken),
// giving up after every attempt, replies of another service or malformed ones dropped, bad
// arguments refused. The client runs on a thread (request() blocks), the double on the test's.
#include "support/deadline.hpp"
#include "support/mdp_broker_double.hpp"

#include <gtest/gtest.h>

#include <future>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

mdp::client_options quick(std::chrono::milliseconds timeout, int retries) {
  mdp::client_options o;
  o.timeout = timeout;
  o.retries = retries;
  return o;
}

std::future<std::optional<message>> ask(mdp::client& c, std::string service, std::string body) {
  return std::async(std::launch::async, [&c, service, body] {
    return c.request(service, message{std::string_view{body}});
  });
}

std::optional<std::string> text_of(std::future<std::optional<message>>& f) {
  if (f.wait_for(10s) != std::future_status::ready)
    return "(request() did not return)";
  auto m = f.get();
  if (!m)
    return std::nullopt;
  return frames_of(*m).size() == 1 ? (*m)[0].to_string() : "(not one frame)";
}

TEST(MdpClient, RequestAndReplyFramesOnTheWire) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::client c{ctx, broker.endpoint(), quick(3000ms, 0)};
  auto answer = ask(c, "echo", "hello");
  auto req = broker.recv_raw(5000ms);
  ASSERT_TRUE(req) << "no request";
  auto f = frames_of(*req);
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(strings(f.begin() + 1, f.end()), (strings{"", "MDPC01", "echo", "hello"}));
  broker.send_raw(message{(*req)[0]}, {"", "MDPC01", "echo", "HELLO"});
  EXPECT_EQ(text_of(answer), "HELLO");
  auto& s = c.stats();
  EXPECT_EQ(s.requests, 1u);
  EXPECT_EQ(s.sent, 1u);
  EXPECT_EQ(s.retried, 0u);
  EXPECT_EQ(s.answered, 1u);
  EXPECT_EQ(s.timed_out, 0u);
}

TEST(MdpClient, RetriesOnANewSocketAndNeverTakesTheLateReplyToTheOldOne) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::client c{ctx, broker.endpoint(), quick(300ms, 2)};
  auto answer = ask(c, "echo", "one");
  auto first = broker.recv_raw(5000ms);
  ASSERT_TRUE(first);
  auto second = broker.recv_raw(5000ms);  // the double let the first attempt time out
  ASSERT_TRUE(second) << "no resend after the timeout";
  EXPECT_NE((*second)[0], (*first)[0]) << "the resend came on the same socket";
  EXPECT_EQ(frames_of(*second).back(), "one");
  broker.send_reply(message{(*first)[0]}, "echo", message{"late"});  // to the closed socket
  broker.send_reply(message{(*second)[0]}, "echo", message{"on time"});
  EXPECT_EQ(text_of(answer), "on time");

  // The next request gets its own reply, not the late one.
  auto next = ask(c, "echo", "two");
  auto third = broker.recv_raw(5000ms);
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)[0], (*second)[0]) << "an answered request needs no new socket";
  broker.send_reply(message{(*third)[0]}, "echo", message{"reply two"});
  EXPECT_EQ(text_of(next), "reply two");
  auto& s = c.stats();
  EXPECT_EQ(s.requests, 2u);
  EXPECT_EQ(s.sent, 3u);
  EXPECT_EQ(s.retried, 1u);
  EXPECT_EQ(s.answered, 2u);
  EXPECT_EQ(s.discarded, 0u);
}

TEST(MdpClient, GivesUpAfterEveryAttemptTimedOutAndTheNextRequestUsesANewSocket) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::client c{ctx, broker.endpoint(), quick(150ms, 2)};
  auto start = test::clock::now();
  auto answer = ask(c, "echo", "lost");
  std::vector<message> seen;
  while (seen.size() < 3)
    if (auto m = broker.recv_raw(5000ms))
      seen.push_back(*m);
    else
      break;
  ASSERT_EQ(seen.size(), 3u) << "not three attempts";
  EXPECT_EQ(text_of(answer), std::nullopt);
  EXPECT_GE(test::elapsed_ms(start), 3 * 150);
  EXPECT_NE(seen[0][0], seen[1][0]);
  EXPECT_NE(seen[1][0], seen[2][0]);
  EXPECT_NE(seen[0][0], seen[2][0]);
  // A reply to the last attempt comes too late: the next request must not take it.
  broker.send_reply(message{seen[2][0]}, "echo", message{"late"});
  auto next = ask(c, "echo", "again");
  auto fourth = broker.recv_raw(5000ms);
  ASSERT_TRUE(fourth);
  EXPECT_NE((*fourth)[0], seen[2][0]) << "the socket of the abandoned request was reused";
  broker.send_reply(message{(*fourth)[0]}, "echo", message{"fresh"});
  EXPECT_EQ(text_of(next), "fresh");
  auto& s = c.stats();
  EXPECT_EQ(s.requests, 2u);
  EXPECT_EQ(s.sent, 4u);
  EXPECT_EQ(s.retried, 2u);
  EXPECT_EQ(s.answered, 1u);
  EXPECT_EQ(s.timed_out, 1u);
}

TEST(MdpClient, RepliesOfAnotherServiceOrMalformedAreDiscardedAndCounted) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::client c{ctx, broker.endpoint(), quick(3000ms, 0)};
  auto answer = ask(c, "echo", "x");
  auto req = broker.recv_raw(5000ms);
  ASSERT_TRUE(req);
  message to{(*req)[0]};
  broker.send_reply(to, "other", message{"wrong service"});
  broker.send_raw(to, {"", "MDPC01"});              // no service
  broker.send_raw(to, {"", "MDPW01", "echo", "y"});  // a worker's protocol
  broker.send_raw(to, {"MDPC01", "echo", "z"});      // no delimiter
  broker.send_reply(to, "echo", message{"right"});
  EXPECT_EQ(text_of(answer), "right");
  EXPECT_EQ(c.stats().discarded, 4u);
  EXPECT_EQ(c.stats().answered, 1u);
  EXPECT_EQ(c.stats().retried, 0u);
}

void expect_invalid(const std::function<void()>& call, const std::string& says) {
  try {
    call();
    ADD_FAILURE() << "no error; expected one saying '" << says << "'";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

TEST(MdpClient, BadArgumentsAreRefusedSayingWhatIsWrong) {
  context ctx;
  const std::string ep = "tcp://127.0.0.1:9";
  expect_invalid([&] { mdp::client(ctx, ep, quick(0ms, 1)); }, "timeout must be positive, not 0 ms");
  expect_invalid([&] { mdp::client(ctx, ep, quick(10ms, -1)); }, "retries must not be negative, not -1");
  mdp::client c{ctx, ep, quick(10ms, 0)};
  expect_invalid([&] { c.request("", message{"x"}); }, "service name is empty");
  expect_invalid([&] { c.request("echo", message{}); }, "body has no frames");
  EXPECT_EQ(c.stats().requests, 0u);
  try {
    mdp::client bad{ctx, "nowhere:1"};
    ADD_FAILURE() << "a bad endpoint was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint) << e.what();
  }
}

} // namespace
} // namespace cafmq
