// socket::request() on a REQ: timeouts never leave the socket stuck, retries reach a server
// that dropped the first attempt, and with req_correlate a late reply to an earlier attempt is
// never taken for the answer to a later one. The servers are ROUTERs run in a thread, so they can
// drop or delay requests.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

constexpr auto budget = 5000ms;

// A reply to a request a ROUTER received: the whole envelope (id, request id if any, delimiter)
// followed by `body`.
message reply_to(const message& request, std::string_view body) {
  message out;
  for (size_t i = 0; i + 1 < request.size(); ++i)
    out.add(request[i]);
  out.add(frame{body});
  return out;
}

TEST(ReqRequest, SucceedsAgainstARep) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  socket req{ctx, socket_type::req, test::no_linger()};
  req.connect(rep.last_endpoint());
  std::thread server([&] {
    if (auto q = rep.recv(budget))
      rep.send(message{"re: " + (*q)[0].to_string()}, budget);
  });
  auto a = req.request(message{"ping"}, budget);
  server.join();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"re: ping"});
}

TEST(ReqRequest, TimesOutWithoutPeerAndTheSocketCanStillSend) {
  context ctx;
  socket req{ctx, socket_type::req, test::no_linger()};
  req.bind("tcp://127.0.0.1:*");
  auto start = test::clock::now();
  EXPECT_FALSE(req.request(message{"anyone?"}, 50ms, 2).has_value());
  EXPECT_GE(test::elapsed_ms(start), 90);  // two attempts of 50 ms each
  socket rep{ctx, socket_type::rep, test::no_linger()};
  rep.connect(req.last_endpoint());
  std::thread server([&] {
    if (rep.recv(budget))
      rep.send(message{"here"}, budget);
  });
  auto a = req.request(message{"now?"}, budget);
  server.join();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"here"});
}

TEST(ReqRequest, TimesOutWhenThePeerNeverRepliesAndThenSendsAgain) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  socket req{ctx, socket_type::req, test::no_linger()};
  req.connect(rep.last_endpoint());
  EXPECT_FALSE(req.request(message{"q"}, 100ms).has_value());
  EXPECT_NO_THROW(req.send(message{"plain send"}, budget)) << "the socket was left waiting";
}

TEST(ReqRequest, RetrySucceedsWhenTheFirstServerDroppedTheRequest) {
  context ctx;
  socket server{ctx, socket_type::router, test::no_linger()};
  server.bind("tcp://127.0.0.1:*");
  socket req{ctx, socket_type::req, test::no_linger()};
  req.connect(server.last_endpoint());
  std::thread serve([&] {
    auto dropped = server.recv(budget);  // attempt 1: dropped on the floor
    auto kept = server.recv(budget);     // attempt 2: answered
    if (dropped && kept)
      server.send(reply_to(*kept, "second time lucky"), budget);
  });
  auto a = req.request(message{"q"}, 300ms, 3);
  serve.join();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"second time lucky"});
}

TEST(ReqRequest, CorrelateNeverReturnsALateReplyToAnEarlierAttempt) {
  context ctx;
  socket server{ctx, socket_type::router, test::no_linger()};
  server.bind("tcp://127.0.0.1:*");
  auto o = test::no_linger();
  o.req_correlate = true;
  socket req{ctx, socket_type::req, o};
  req.connect(server.last_endpoint());
  std::thread serve([&] {
    auto first = server.recv(budget);   // held until attempt 1 timed out
    auto second = server.recv(budget);  // attempt 2 is here: now answer both, the old one first
    if (first && second) {
      server.send(reply_to(*first, "late answer to attempt 1"), budget);
      server.send(reply_to(*second, "answer to attempt 2"), budget);
    }
  });
  auto a = req.request(message{"q"}, 400ms, 2);
  serve.join();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"answer to attempt 2"});
}

} // namespace
} // namespace cafmq
