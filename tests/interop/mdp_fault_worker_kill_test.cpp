// Majordomo fault: workers killed with SIGKILL in the middle of a request. `cafmq broker` and
// mdp_test_peer workers run as processes; a cafmq client sends requests with unique ids. Each
// killed worker's request is lost with it; the client's RFC 7 retry (a new socket, the request
// again) gets it answered by another worker. Lost must be 0, and no request answered twice.
#include "interop/mdp_fault_support.hpp"
#include "runtime/cafmq.hpp"
#include "support/ports.hpp"

#include <future>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

TEST(MdpFaultWorkerKill, WorkersKilledMidRequestLoseNoRequestAndAnswerNoneTwice) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  auto argv = test::broker_argv(ep);
  argv.push_back("--events");
  auto broker = test::start_until(argv, "{\"event\":\"listening\"", false);
  auto a = test::start_until(test::worker_argv(ep, 100), "ready", true);
  auto b = test::start_until(test::worker_argv(ep, 100), "ready", true);

  constexpr int count = 30;
  mdp::client_options o;
  o.timeout = 1000ms;
  o.retries = 5;
  context ctx;
  mdp::client client{ctx, ep, o};
  test::answer_book book;
  auto done = std::async(std::launch::async, [&] {
    for (int i = 0; i < count; ++i) {
      auto id = "k" + std::to_string(i);
      if (auto reply = client.request("echo", message{std::string_view{id}}))
        book.record(id, (*reply)[0].to_string());
    }
  });

  // Kill A in its first request, start C; then kill B in its next request, start D.
  auto a_got = a->wait_for_line("got ", 10000ms, true);
  ASSERT_FALSE(a_got.empty()) << "worker A got no request";
  ::kill(a->pid(), SIGKILL);
  auto c = test::start_until(test::worker_argv(ep, 100), "ready", true);
  auto b_got = b->wait_for_line("got ", 10000ms, true, b->output_size(true));
  ASSERT_FALSE(b_got.empty()) << "worker B got no request after A died";
  ::kill(b->pid(), SIGKILL);
  auto d = test::start_until(test::worker_argv(ep, 100), "ready", true);
  std::printf("killed A in '%s', B in '%s'\n", a_got.c_str(), b_got.c_str());

  ASSERT_EQ(done.wait_for(20s), std::future_status::ready) << "the client did not finish";
  auto& s = client.stats();
  test::report_and_check("workers killed", s.requests, s.sent, s.answered, s.retried, s.timed_out,
                         book);
  EXPECT_GE(s.retried, 2u) << "each killed worker's request needs a retry";
  // The killed workers' requests ran twice (at-least-once execution), yet were answered once.
  auto killed_ids = std::vector<std::string>{a_got.substr(4), b_got.substr(4)};
  for (auto& id : killed_ids)
    EXPECT_EQ(book.answers[id], 1) << id;
  for (auto* w : {c.get(), d.get()})
    ::kill(w->pid(), SIGTERM);
  ::kill(broker->pid(), SIGTERM);
  EXPECT_EQ(broker->wait(10000ms).exit_code, 0) << "the broker did not exit cleanly";
}

} // namespace
} // namespace cafmq
