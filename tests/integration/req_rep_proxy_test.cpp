// REQ clients and a REP server joined through two ROUTER-DEALER proxies (a loop in the test):
// the REP sees a request envelope of two id frames plus the delimiter and must send the reply
// back with all of it, so that each client gets its own answer.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

constexpr auto budget = 5000ms;

// One ROUTER (frontend, bound) and one DEALER (backend, bound), as zmq_proxy joins them.
struct proxy {
  socket frontend;
  socket backend;
  explicit proxy(context& ctx)
    : frontend(ctx, socket_type::router, test::no_linger()),
      backend(ctx, socket_type::dealer, test::no_linger()) {
    frontend.bind("tcp://127.0.0.1:*");
    backend.bind("tcp://127.0.0.1:*");
  }
  // Moves what is waiting on either side across. Only the proxy thread touches these sockets.
  void pump() {
    if (auto m = frontend.recv(1ms))
      backend.send(std::move(*m), budget);
    if (auto m = backend.recv(1ms))
      frontend.send(std::move(*m), budget);
  }
};

TEST(ReqRepProxy, RepBehindTwoRouterDealerHopsRepliesToEachClient) {
  context ctx;
  proxy outer{ctx}, inner{ctx};
  // client REQs -> outer ROUTER | outer DEALER -> inner ROUTER | inner DEALER -> REP
  inner.frontend.connect(outer.backend.last_endpoint());  // a ROUTER may connect, too
  socket rep{ctx, socket_type::rep, test::no_linger()};
  rep.connect(inner.backend.last_endpoint());
  socket a{ctx, socket_type::req, test::no_linger()};
  socket b{ctx, socket_type::req, test::no_linger()};
  a.connect(outer.frontend.last_endpoint());
  b.connect(outer.frontend.last_endpoint());

  std::atomic<bool> stop{false};
  std::thread proxies([&] {
    while (!stop.load()) {  // each pump waits at most a few ms for traffic
      outer.pump();
      inner.pump();
    }
  });
  std::thread server([&] {
    for (int i = 0; i < 4; ++i) {
      auto q = rep.recv(budget);
      if (!q)
        return;
      message r{"re:"};
      for (size_t f = 0; f < q->size(); ++f)
        r.add((*q)[f]);
      rep.send(std::move(r), budget);
    }
  });

  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(a.send(message{"a", std::to_string(round)}, budget));
    ASSERT_TRUE(b.send(message{"b", std::to_string(round)}, budget));
    auto ra = a.recv(budget);
    auto rb = b.recv(budget);
    ASSERT_TRUE(ra && rb) << "round " << round;
    EXPECT_EQ(frames_of(*ra), (strings{"re:", "a", std::to_string(round)}));
    EXPECT_EQ(frames_of(*rb), (strings{"re:", "b", std::to_string(round)}));
  }
  stop = true;
  proxies.join();
  server.join();
}

} // namespace
} // namespace cafmq
