// Majordomo fault: a network partition between the broker and a worker holding a request.
// Namespace A runs `cafmq broker`, a client and worker W2; namespace B runs worker W1. When W1
// gets a request, every packet between A and B is dropped: W1's reply never arrives, the broker
// expires W1, and the client's retry is answered by W2. Healed, W1 makes a new socket, says
// READY, and alone (W2 killed) answers a second client. Lost must be 0, none answered twice.
// Skipped, saying why, where namespaces cannot be made (not root, no iproute2).
#include "interop/mdp_fault_support.hpp"
#include "interop/netns_pair.hpp"

#include <set>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string endpoint = "tcp://10.77.5.1:5555";

std::vector<std::string> client_argv(int count, int timeout_ms, int retries, const std::string& prefix) {
  return {CAFMQ_MDP_TEST_PEER, "client", endpoint, "echo", std::to_string(count),
          std::to_string(timeout_ms), std::to_string(retries), prefix};
}

// The client's output checked: each "answered <id> <reply>" for its own id, once; its counters.
void check_client(const char* what, const test::process_result& r, int count) {
  ASSERT_EQ(r.exit_code, 0) << what << ": " << r.describe();
  test::answer_book book;
  for (auto& line : test::lines_starting(r.out, "answered ")) {
    auto id_end = line.find(' ', 9);
    book.record(line.substr(9, id_end - 9), line.substr(id_end + 1));
  }
  auto stats = test::lines_starting(r.out, "stats ");
  ASSERT_EQ(stats.size(), 1u) << r.out;
  unsigned long long requests = 0, sent = 0, answered = 0, retried = 0, lost = 0;
  ASSERT_EQ(std::sscanf(stats[0].c_str(), "stats requests=%llu sent=%llu answered=%llu retried=%llu lost=%llu",
                        &requests, &sent, &answered, &retried, &lost),
            5);
  EXPECT_EQ(requests, static_cast<unsigned long long>(count));
  test::report_and_check(what, requests, sent, answered, retried, lost, book);
}

TEST(MdpFaultPartition, AWorkerCutOffMidRequestLosesNoRequestAndComesBackAfterTheHeal) {
  test::netns_pair net{"md"};
  if (auto why = net.setup(); !why.empty()) {
    std::printf("skipping the partition test: %s\n", why.c_str());
    GTEST_SKIP() << why;
  }
  auto broker_cmd = test::broker_argv(endpoint);
  broker_cmd.push_back("--events");
  auto broker = test::start_until(net.in(net.a, broker_cmd), "{\"event\":\"listening\"", false);
  auto w1 = test::start_until(net.in(net.b, test::worker_argv(endpoint, 100)), "ready", true);
  auto w2 = test::start_until(net.in(net.a, test::worker_argv(endpoint, 100)), "ready", true);

  constexpr int count = 30;
  child_process client{net.in(net.a, client_argv(count, 600, 6, "p"))};
  auto held = w1->wait_for_line("got ", 10000ms, true);
  ASSERT_FALSE(held.empty()) << "W1 got no request";
  if (auto why = net.partition(); !why.empty()) {
    std::printf("skipping the partition test: %s\n", why.c_str());
    GTEST_SKIP() << why;
  }
  std::printf("partitioned while W1 held '%s'\n", held.c_str());
  check_client("partitioned", client.wait(20000ms), count);
  size_t w1_seen = w1->output_size(true);

  // Healed, W2 gone: W1 alone must answer, on a new socket with READY again.
  net.heal();
  ::kill(w2->pid(), SIGKILL);
  auto healed = test::clock::now();
  child_process after{net.in(net.a, client_argv(5, 1000, 10, "h"))};
  auto r = after.wait(20000ms);
  std::printf("5 requests answered %lld ms after the heal\n", test::elapsed_ms(healed));
  check_client("after the heal", r, 5);
  for (auto& line : test::lines_starting(r.out, "answered "))
    EXPECT_NE(line.find(":" + std::to_string(w1->pid())), std::string::npos)
      << "not answered by W1: " << line;

  ::kill(w1->pid(), SIGTERM);
  auto w1_end = w1->wait(10000ms);
  auto w1_stats = test::lines_starting(w1_end.out.substr(w1_seen), "stats ");
  ASSERT_EQ(w1_stats.size(), 1u) << w1_end.describe();
  std::printf("W1: %s\n", w1_stats[0].c_str());
  unsigned long long connects = 0, expiries = 0;
  ASSERT_EQ(std::sscanf(w1_stats[0].c_str(), "stats connects=%llu expiries=%llu", &connects,
                        &expiries),
            2);
  EXPECT_GE(expiries, 1u) << "W1 never noticed the partition";
  EXPECT_GE(connects, 2u) << "W1 never said READY again";
  ::kill(broker->pid(), SIGTERM);
  EXPECT_EQ(broker->wait(10000ms).exit_code, 0) << "the broker did not exit cleanly";
}

} // namespace
} // namespace cafmq
