// The actor face's sends (runtime/actor_socket.hpp): acknowledged when queued, would_block when
// the socket cannot queue now, a waiting send that completes once room comes (in order), and a
// bounded number of waiting sends: beyond max_waiting they are refused, and they time out (a
// shorter deadline behind a longer one on time); waiting sends never miss room that came.
#include "support/actor_face.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

struct push_face {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  socket pull{ctx, socket_type::pull, test::no_linger()};
  caf::scoped_actor self{system};
  socket_actor push;
  explicit push_face(size_t max_waiting = 64) {
    pull.bind("tcp://127.0.0.1:*");
    actor_socket_options face;
    face.max_waiting = max_waiting;
    push = actor_socket::spawn(self.ptr(), ctx, socket_type::push, test::no_linger(), face);
  }
  caf::expected<caf::ok_atom> connect() {
    return test::ask<caf::ok_atom>(self, push, caf::connect_atom::value, pull.last_endpoint());
  }
};

TEST(ActorSocketSend, WouldBlockWithoutAPeerThenAcknowledged) {
  push_face f;
  auto early = test::ask<caf::ok_atom>(f.self, f.push, send_atom::value, message{"early"});
  ASSERT_FALSE(early) << "a PUSH without a peer cannot queue";
  EXPECT_TRUE(is_error(early.error(), actor_errc::would_block)) << actor_error_text(early.error());
  ASSERT_TRUE(f.connect());
  // The connection may take a moment: a waiting send covers it.
  auto sent = test::ask<caf::ok_atom>(f.self, f.push, send_atom::value, message{"m0"},
                                      caf::timespan{5s});
  ASSERT_TRUE(sent) << actor_error_text(sent.error());
  for (int i = 1; i < 20; ++i) {
    auto ok = test::ask<caf::ok_atom>(f.self, f.push, send_atom::value,
                                      message{"m" + std::to_string(i)});
    ASSERT_TRUE(ok) << i << ": " << actor_error_text(ok.error());
  }
  for (int i = 0; i < 20; ++i) {
    auto m = f.pull.recv(5000ms);
    ASSERT_TRUE(m) << "message " << i;
    EXPECT_EQ((*m)[0].to_string(), "m" + std::to_string(i));
  }
}

TEST(ActorSocketSend, WaitingSendsCompleteInOrderOnceRoomComes) {
  push_face f;
  using handle = decltype(f.self->request(f.push, std::chrono::seconds(10), send_atom::value,
                                         message{}, caf::timespan{}));
  std::vector<handle> pending;
  for (int i = 0; i < 5; ++i)
    pending.push_back(f.self->request(f.push, std::chrono::seconds(10), send_atom::value,
                                      message{"w" + std::to_string(i)}, caf::timespan{8s}));
  ASSERT_TRUE(f.connect());  // queued behind the waiting sends: they are still waiting then
  int acked = 0;
  for (auto& h : pending)
    h.receive([&](caf::ok_atom) { ++acked; },
                         [&](caf::error& e) { ADD_FAILURE() << actor_error_text(e); });
  EXPECT_EQ(acked, 5);
  for (int i = 0; i < 5; ++i) {
    auto m = f.pull.recv(5000ms);
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)[0].to_string(), "w" + std::to_string(i)) << "waiting sends out of order";
  }
}

TEST(ActorSocketSend, WaitingSendsAreBoundedAndTimeOut) {
  push_face f{2};
  auto t0 = test::clock::now();  // before the sends: their 300 ms cannot end before t0 + 300
  auto first = f.self->request(f.push, std::chrono::seconds(10), send_atom::value,
                               message{"a"}, caf::timespan{300ms});
  auto second = f.self->request(f.push, std::chrono::seconds(10), send_atom::value,
                                message{"b"}, caf::timespan{300ms});
  bool refused = false;
  auto third = f.self->request(f.push, std::chrono::seconds(10), send_atom::value, message{"c"},
                               caf::timespan{300ms});
  // Refused, not queued: a queued send would answer timed_out (or ok), never too_many_waiting.
  // The wall-clock bound is generous (a loaded TSan run on 2 shared cores).
  third.receive([](caf::ok_atom) { ADD_FAILURE() << "sent without a peer"; },
                [&](caf::error& e) {
                  refused = true;
                  EXPECT_TRUE(is_error(e, actor_errc::too_many_waiting)) << actor_error_text(e);
                });
  ASSERT_TRUE(refused);
  EXPECT_LT(test::elapsed_ms(t0), 2000) << "the refusal must not wait";
  int timed_out = 0;
  for (auto* h : {&first, &second})
    h->receive([](caf::ok_atom) { ADD_FAILURE() << "sent without a peer"; },
                          [&](caf::error& e) {
                            timed_out += is_error(e, actor_errc::timed_out) ? 1 : 0;
                          });
  EXPECT_EQ(timed_out, 2);
  EXPECT_GE(test::elapsed_ms(t0), 300);
  EXPECT_LT(test::elapsed_ms(t0), 5000);
}

TEST(ActorSocketSend, AShorterTimeoutBehindALongerOneExpiresOnTime) {
  push_face f;
  auto t0 = test::clock::now();
  auto slow = f.self->request(f.push, std::chrono::seconds(20), send_atom::value, message{"slow"},
                              caf::timespan{8s});
  // Its deadline is earlier than the tick scheduled for the first: the face must arm for it.
  auto quick = f.self->request(f.push, std::chrono::seconds(10), send_atom::value,
                               message{"quick"}, caf::timespan{200ms});
  bool quick_timed_out = false;
  quick.receive([](caf::ok_atom) { ADD_FAILURE() << "sent without a peer"; },
                [&](caf::error& e) { quick_timed_out = is_error(e, actor_errc::timed_out); });
  EXPECT_TRUE(quick_timed_out);
  EXPECT_GE(test::elapsed_ms(t0), 200);
  EXPECT_LT(test::elapsed_ms(t0), 4000) << "the shorter deadline waited for the longer one";
  ASSERT_TRUE(f.connect());
  bool slow_sent = false;
  slow.receive([&](caf::ok_atom) { slow_sent = true; },
               [](caf::error& e) { ADD_FAILURE() << actor_error_text(e); });
  EXPECT_TRUE(slow_sent) << "the longer send still waited, and went once a peer came";
  auto m = f.pull.recv(5000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)[0].to_string(), "slow");
}

TEST(ActorSocketSend, WaitingSendsNeverMissTheRoomThatCame) {
  // HWMs of 1 while a reader drains: the room for each waiting send comes while the face looks,
  // often between its failed send and its readiness check. A wake-up missed there leaves the
  // send waiting for its timeout (timed_out); each must complete with ok, long before it.
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  socket_options o = test::no_linger();
  o.sndhwm = 1;
  o.rcvhwm = 1;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  caf::scoped_actor self{system};
  auto push = actor_socket::spawn(self.ptr(), ctx, socket_type::push, o);
  ASSERT_TRUE(test::ask<caf::ok_atom>(self, push, caf::connect_atom::value, pull.last_endpoint()));
  constexpr int n = 300;
  const std::string big(64 * 1024, 'x');  // fills the TCP buffers: most sends must wait
  std::atomic<int> read{0};
  std::thread reader([&] {
    test::deadline d{30000ms};
    while (read < n && !d.expired())
      if (pull.recv(100ms))
        ++read;
  });
  int acked = 0;
  for (int i = 0; i < n; ++i) {
    auto ok = test::ask<caf::ok_atom>(self, push, send_atom::value, message{big},
                                      caf::timespan{8s});
    if (!ok) {
      ADD_FAILURE() << "send " << i << ": " << actor_error_text(ok.error());
      break;
    }
    ++acked;
  }
  reader.join();
  EXPECT_EQ(acked, n);
  EXPECT_EQ(read.load(), acked);
}

} // namespace
} // namespace cafmq
