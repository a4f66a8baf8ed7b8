// Paranoid Pirate (RFC 6) interop with pyzmq peers written from the RFC: a python worker
// (tests/interop/ppp_worker_peer.py) behind cafmq's queue, also across a restart of the queue,
// and cafmq's worker behind a python queue (tests/interop/ppp_queue_peer.py). Clients are
// cafmq REQs in the lazy pirate style (a new socket per attempt).
#include "support/child_process.hpp"
#include "support/ports.hpp"
#include "support/ppp.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::eventually;

constexpr int budget_s = 12;

std::string peer_script(const std::string& name) {
  std::string matrix_peer = CAFMQ_PYZMQ_PEER;
  return matrix_peer.substr(0, matrix_peer.rfind('/')) + "/" + name;
}

std::vector<std::string> python_worker(const std::string& endpoint, int serve_n) {
  return {CAFMQ_PYTHON, peer_script("ppp_worker_peer.py"), endpoint,
          std::to_string(test::ppp_interval.count()), std::to_string(test::ppp_liveness),
          std::to_string(serve_n), std::to_string(budget_s)};
}

void serve_requests(context& ctx, const std::string& frontend, int from, int n) {
  for (int i = from; i < from + n; ++i) {
    auto reply = test::call(ctx, frontend, "r" + std::to_string(i), 2000ms, 3);
    ASSERT_EQ(reply, "echo:r" + std::to_string(i));
  }
}

TEST(PppPyzmq, PythonWorkerServesThroughCafmqQueue) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  test::child_process python{python_worker(q.backend_endpoint(), 10)};
  ASSERT_TRUE(eventually([&] { return q.stats().workers_ready >= 1; }, 10000ms))
    << "no READY from the python worker";
  serve_requests(ctx, q.frontend_endpoint(), 0, 10);
  auto r = python.wait(std::chrono::seconds{budget_s + 3});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.rfind("OK served=10 ", 0), 0u) << r.describe();  // it got our HEARTBEATs
  EXPECT_GE(q.stats().heartbeats_received, 1u) << "no HEARTBEAT from the python worker";
  EXPECT_EQ(q.stats().requests_forwarded, 10u);
}

TEST(PppPyzmq, PythonWorkerSendsReadyAgainToARestartedCafmqQueue) {
  context ctx;
  // A port below the ephemeral range: a reconnecting peer can never connect to itself on it.
  std::string backend = test::local_endpoint(test::free_tcp_port());
  // The python child starts before the queue binds: a child forked later would inherit the
  // listening descriptor and keep the port taken after the queue closes it.
  test::child_process python{python_worker(backend, 4)};
  auto q = std::make_unique<ppp::queue>(ctx, "tcp://127.0.0.1:*", backend, test::fast_queue());
  q->start();
  ASSERT_TRUE(eventually([&] { return q->stats().workers_ready >= 1; }, 10000ms));
  serve_requests(ctx, q->frontend_endpoint(), 0, 2);
  size_t seen = python.output_size();
  q.reset();  // the queue goes away; the python worker hears nothing and reconnects
  ASSERT_NE(python.wait_for_line("READY 2", 5000ms, false, seen), "") << "no second READY";
  q = test::bind_again([&] {
    return std::make_unique<ppp::queue>(ctx, "tcp://127.0.0.1:*", backend, test::fast_queue());
  });
  q->start();
  ASSERT_TRUE(eventually([&] { return q->stats().workers_ready >= 1; }, 10000ms))
    << "the python worker did not send READY to the new queue";
  serve_requests(ctx, q->frontend_endpoint(), 2, 2);
  auto r = python.wait(std::chrono::seconds{budget_s + 3});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.rfind("OK served=4 ", 0), 0u) << r.describe();
}

TEST(PppPyzmq, CafmqWorkerServesThroughPythonQueue) {
  test::child_process python{{CAFMQ_PYTHON, peer_script("ppp_queue_peer.py"),
                              std::to_string(test::ppp_interval.count()),
                              std::to_string(test::ppp_liveness), "10", std::to_string(budget_s)}};
  auto line = python.wait_for_line("ENDPOINTS ", 10000ms, true);
  ASSERT_NE(line, "") << "the python queue did not start";
  std::istringstream words{line};
  std::string tag, frontend, backend;
  words >> tag >> frontend >> backend;

  context ctx;
  ppp::worker w{ctx, backend, test::fast_worker()};
  w.start(test::echo);
  serve_requests(ctx, frontend, 0, 10);
  auto r = python.wait(std::chrono::seconds{budget_s + 3});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.find("OK replies=10 "), r.out.find("OK")) << r.describe();
  EXPECT_NE(r.out.find("OK replies=10 "), std::string::npos) << r.describe();
  EXPECT_EQ(w.stats().requests, 10u);
  EXPECT_GE(w.stats().heartbeats_received, 1u) << "no HEARTBEAT from the python queue";
  EXPECT_EQ(w.stats().readies_sent, 1u);
}

} // namespace
} // namespace cafmq
