// cafmq::proxy's steerable commands (PAUSE, RESUME, STATISTICS, TERMINATE, on a PAIR and a REP
// control), its HWM bound on a slow backend, its end on context shutdown, and bad arguments.
#include "integration/proxy_runner.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::no_linger;
constexpr auto budget = 5000ms;

// source PUSH -> frontend PULL | proxy | backend PUSH -> sink PULL, all inproc.
struct pipeline {
  context ctx;
  socket frontend;
  socket backend;
  socket source;
  socket sink;
  explicit pipeline(const std::string& name, socket_options o = no_linger())
    : frontend(ctx, socket_type::pull, o), backend(ctx, socket_type::push, o),
      source(ctx, socket_type::push, o), sink(ctx, socket_type::pull, o) {
    frontend.bind("inproc://" + name + "-front");
    backend.bind("inproc://" + name + "-back");
    source.connect("inproc://" + name + "-front");
    sink.connect("inproc://" + name + "-back");
  }
};

TEST(ProxySteering, PauseStopsForwardingResumeRestartsItStatisticsCountIt) {
  pipeline p{"steer"};
  test::proxy_runner running{p.ctx, p.frontend, p.backend};
  ASSERT_TRUE(p.source.send(message{"one", "two"}, budget));
  auto first = p.sink.recv(budget);
  ASSERT_TRUE(first);
  EXPECT_EQ(test::frames_of(*first), (std::vector<std::string>{"one", "two"}));

  ASSERT_TRUE(running.command("PAUSE"));
  auto paused = running.statistics();  // answered after PAUSE: the pause is in effect
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->frontend_messages_in, 1u);
  EXPECT_EQ(paused->frontend_bytes_in, 6u);
  EXPECT_EQ(paused->backend_messages_out, 1u);
  EXPECT_EQ(paused->backend_bytes_out, 6u);
  ASSERT_TRUE(p.source.send(message{"held"}, budget));
  EXPECT_FALSE(p.sink.recv(300ms)) << "a paused proxy forwarded";
  ASSERT_TRUE(running.command("RESUME"));
  auto held = p.sink.recv(budget);
  ASSERT_TRUE(held);
  EXPECT_EQ((*held)[0].view(), "held");

  auto result = running.terminate();
  EXPECT_EQ(result.end, proxy_end::terminate_command);
  EXPECT_EQ(result.statistics.backend_messages_out, 2u);
}

TEST(ProxySteering, RepControlGetsEmptyRepliesAndEightStatisticsFrames) {
  pipeline p{"rep-control"};
  socket control{p.ctx, socket_type::rep, no_linger()};
  socket steer{p.ctx, socket_type::req, no_linger()};
  control.bind("inproc://rep-control-ctl");
  steer.connect("inproc://rep-control-ctl");
  proxy_result result;
  std::thread t([&] { result = proxy(p.frontend, p.backend, nullptr, &control); });
  for (const char* word : {"PAUSE", "RESUME", "BOGUS"}) {
    ASSERT_TRUE(steer.send(message{word}, budget));
    auto reply = steer.recv(budget);
    ASSERT_TRUE(reply) << word;
    EXPECT_EQ(reply->size(), 1u);
    EXPECT_TRUE((*reply)[0].empty());
  }
  ASSERT_TRUE(steer.send(message{"STATISTICS"}, budget));
  auto stats = steer.recv(budget);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->size(), 8u);
  for (size_t i = 0; i < stats->size(); ++i)
    EXPECT_EQ((*stats)[i].size(), 8u);
  ASSERT_TRUE(steer.send(message{"TERMINATE"}, budget));
  EXPECT_TRUE(steer.recv(budget));
  t.join();
  EXPECT_EQ(result.end, proxy_end::terminate_command);
}

TEST(ProxySteering, SlowBackendPushesBackThroughTheProxyWithinTheHwms) {
  constexpr size_t hwm = 10;
  socket_options o = no_linger();
  o.sndhwm = hwm;
  o.rcvhwm = hwm;
  pipeline p{"hwm", o};
  test::proxy_runner running{p.ctx, p.frontend, p.backend};
  // The sink reads nothing: the producer must be stopped by the HWMs, not by memory.
  constexpr uint64_t attempts = 100000;
  uint64_t sent = 0;
  int refusals = 0;
  while (sent < attempts && refusals < 3) {
    if (p.source.send(test::sequenced(sent, 32), 100ms)) {
      ++sent;
      refusals = 0;
    } else {
      ++refusals;  // full for 100 ms: the whole chain is full
    }
  }
  auto stats = running.statistics();
  ASSERT_TRUE(stats);
  // Queues: source out + frontend in, the proxy's one batch, backend out + sink in.
  uint64_t bound = 4 * hwm + proxy_batch + 2 * hwm;  // slack for the pipes' own rounding
  EXPECT_LE(sent, bound) << "the proxy read past the backend's HWM";
  EXPECT_LE(stats->frontend_messages_in - stats->backend_messages_out, proxy_batch);
  EXPECT_LE(stats->backend_messages_out, 4 * hwm);
  for (uint64_t i = 0; i < sent; ++i) {  // and nothing was lost: all arrive, in order
    auto m = p.sink.recv(budget);
    ASSERT_TRUE(m) << "message " << i << " of " << sent;
    ASSERT_EQ(test::sequence_of(*m), i);
  }
}

TEST(ProxySteering, ContextShutdownEndsTheProxyWithSocketClosed) {
  context ctx;
  socket frontend{ctx, socket_type::router, no_linger()};
  socket backend{ctx, socket_type::dealer, no_linger()};
  frontend.bind("tcp://127.0.0.1:*");
  backend.bind("tcp://127.0.0.1:*");
  std::atomic<bool> returned{false};
  proxy_result result;
  result.end = proxy_end::terminate_command;
  std::thread t([&] {
    result = proxy(frontend, backend);
    returned = true;
  });
  ctx.close(0ms);
  ASSERT_TRUE(test::eventually([&] { return returned.load(); }, budget));
  t.join();
  EXPECT_EQ(result.end, proxy_end::socket_closed);
}

TEST(ProxySteering, BadArgumentsAreRefusedWithTheReason) {
  context ctx;
  socket router{ctx, socket_type::router, no_linger()};
  socket dealer{ctx, socket_type::dealer, no_linger()};
  socket pull{ctx, socket_type::pull, no_linger()};
  socket pull2{ctx, socket_type::pull, no_linger()};
  socket push{ctx, socket_type::push, no_linger()};
  socket pub{ctx, socket_type::pub, no_linger()};
  auto refused = [](auto&& call, const std::string& needle) {
    try {
      call();
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "no error for: " << needle;
  };
  refused([&] { proxy(router, router); }, "same socket");
  refused([&] { proxy(pull, pull2); }, "nothing to forward between a PULL frontend and a PULL backend");
  refused([&] { proxy(push, pub); }, "nothing to forward between a PUSH frontend and a PUB backend");
  refused([&] { proxy(router, dealer, &pull); }, "capture socket must be able to send");
  refused([&] { proxy(router, dealer, nullptr, &push); }, "control socket must be able to receive");
  refused([&] { proxy(router, dealer, &dealer); }, "also the frontend or the backend");
  socket rep{ctx, socket_type::rep, no_linger()};
  socket req{ctx, socket_type::req, no_linger()};
  refused([&] { proxy(rep, dealer); }, "a REP cannot be a proxy's frontend, backend or capture");
  refused([&] { proxy(router, dealer, &req); }, "a REQ cannot be a proxy's frontend, backend or capture");
  refused([&] { proxy(router, dealer, nullptr, &req); }, "control socket cannot be a REQ");
  dealer.close();
  EXPECT_EQ(proxy(router, dealer).end, proxy_end::socket_closed);  // as if closed a moment later
  try {
    check_proxy_arguments(router, dealer);
    ADD_FAILURE() << "a closed backend was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::socket_closed);
  }
}

} // namespace
} // namespace cafmq
