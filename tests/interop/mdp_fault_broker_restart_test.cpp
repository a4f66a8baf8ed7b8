// Majordomo fault: the broker killed (SIGKILL) while a worker holds a request, and started again
// on the same port. The worker notices the silence, makes a new socket and says READY to the new
// broker; its reply to the old broker's request is dropped (that broker's client addresses mean
// nothing to the new one); the client's retry gets the request answered through the new broker.
// Lost must be 0, and no request answered twice.
#include "interop/mdp_fault_support.hpp"
#include "runtime/cafmq.hpp"
#include "support/ports.hpp"

#include <future>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(MdpFaultBrokerRestart, ABrokerKilledAndRestartedLosesNoRequestAndAnswersNoneTwice) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  auto argv = test::broker_argv(ep);
  argv.push_back("--events");
  auto broker = test::start_until(argv, "{\"event\":\"listening\"", false);

  context ctx;
  constexpr int count = 30;
  constexpr int kill_at = 10;
  std::promise<void> holding;  // the worker is inside request kill_at
  std::atomic<bool> stop{false};
  mdp::worker_stats worker_stats;
  std::thread worker_thread([&] {
    mdp::worker_options wo;
    wo.heartbeat_interval = std::chrono::milliseconds{test::mdp_heartbeat_ms};
    wo.reconnect_delay = 100ms;
    mdp::worker w{ctx, ep, "echo", wo};
    bool held = false;
    w.run(
      [&](const mdp::request& r) {
        auto id = r.body[0].to_string();
        if (id == "b" + std::to_string(kill_at) && !held) {
          held = true;
          holding.set_value();
          std::this_thread::sleep_for(300ms);  // the broker dies meanwhile
        }
        return message{id + ":worker"};
      },
      stop);
    worker_stats = w.stats();
  });

  mdp::client_options o;
  o.timeout = 1000ms;
  o.retries = 5;
  mdp::client client{ctx, ep, o};
  test::answer_book book;
  auto done = std::async(std::launch::async, [&] {
    for (int i = 0; i < count; ++i) {
      auto id = "b" + std::to_string(i);
      if (auto reply = client.request("echo", message{std::string_view{id}}))
        book.record(id, (*reply)[0].to_string());
    }
  });

  auto held = holding.get_future();
  ASSERT_EQ(held.wait_for(10s), std::future_status::ready) << "request " << kill_at << " never came";
  ::kill(broker->pid(), SIGKILL);
  broker->wait(5000ms);
  auto restarted = test::clock::now();
  broker = test::start_until(argv, "{\"event\":\"listening\"", false);
  std::printf("broker restarted on %s in %lld ms\n", ep.c_str(), test::elapsed_ms(restarted));

  auto finished = done.wait_for(20s);
  stop = true;
  worker_thread.join();
  ASSERT_EQ(finished, std::future_status::ready) << "the client did not finish";
  auto& s = client.stats();
  test::report_and_check("broker restarted", s.requests, s.sent, s.answered, s.retried,
                         s.timed_out, book);
  std::printf("worker: connects %llu, expiries %llu, disconnects %llu, stale replies %llu\n",
              (unsigned long long)worker_stats.connects, (unsigned long long)worker_stats.expiries,
              (unsigned long long)worker_stats.disconnects,
              (unsigned long long)worker_stats.stale_replies);
  EXPECT_GE(s.retried, 1u) << "the request held across the kill needs a retry";
  EXPECT_GE(worker_stats.connects, 2u) << "the worker never said READY to the new broker";
  EXPECT_EQ(worker_stats.stale_replies, 1u) << "the held request's reply must be dropped";
  ::kill(broker->pid(), SIGTERM);
  EXPECT_EQ(broker->wait(10000ms).exit_code, 0) << "the restarted broker did not exit cleanly";
}

} // namespace
} // namespace cafmq
