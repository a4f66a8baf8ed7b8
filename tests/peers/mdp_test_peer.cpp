// A Majordomo peer as its own process, for the fault tests that kill it or run it in a network
// namespace (tests/interop/mdp_fault_*_test.cpp). Output is line-buffered on stdout.
//
//   mdp_test_peer worker ENDPOINT SERVICE HEARTBEAT_MS WORK_MS
//     "ready" once started; "got <body>" when a request arrives (then works WORK_MS); replies
//     "<body>:<pid>"; on SIGTERM prints "stats connects=N expiries=N disconnects=N requests=N
//     replies=N stale=N" and exits 0.
//   mdp_test_peer client ENDPOINT SERVICE COUNT TIMEOUT_MS RETRIES PREFIX
//     sends COUNT requests "<PREFIX><i>" one after the other; prints "answered <id> <reply>" or
//     "lost <id>" for each, then "stats requests=N sent=N answered=N retried=N lost=N"; exits 0.
#include "runtime/cafmq.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

std::atomic<bool> stop{false};

void on_term(int) { stop.store(true); }

int run_worker(char** argv) {
  cafmq::mdp::worker_options o;
  o.heartbeat_interval = milliseconds{std::stoi(argv[4])};
  o.reconnect_delay = o.heartbeat_interval;
  auto work = milliseconds{std::stoi(argv[5])};
  cafmq::context ctx;
  cafmq::mdp::worker w{ctx, argv[2], argv[3], o};
  std::printf("ready\n");
  auto pid = std::to_string(::getpid());
  w.run(
    [&](const cafmq::mdp::request& r) {
      auto body = r.body[0].to_string();
      std::printf("got %s\n", body.c_str());
      std::this_thread::sleep_for(work);
      return cafmq::message{body + ":" + pid};
    },
    stop);
  auto& s = w.stats();
  std::printf("stats connects=%llu expiries=%llu disconnects=%llu requests=%llu replies=%llu "
              "stale=%llu\n",
              (unsigned long long)s.connects, (unsigned long long)s.expiries,
              (unsigned long long)s.disconnects, (unsigned long long)s.requests,
              (unsigned long long)s.replies, (unsigned long long)s.stale_replies);
  return 0;
}

int run_client(char** argv) {
  cafmq::mdp::client_options o;
  int count = std::stoi(argv[4]);
  o.timeout = milliseconds{std::stoi(argv[5])};
  o.retries = std::stoi(argv[6]);
  std::string prefix = argv[7];
  cafmq::context ctx;
  cafmq::mdp::client c{ctx, argv[2], o};
  for (int i = 0; i < count && !stop; ++i) {
    auto id = prefix + std::to_string(i);
    if (auto reply = c.request(argv[3], cafmq::message{std::string_view{id}}))
      std::printf("answered %s %s\n", id.c_str(), (*reply)[0].to_string().c_str());
    else
      std::printf("lost %s\n", id.c_str());
  }
  auto& s = c.stats();
  std::printf("stats requests=%llu sent=%llu answered=%llu retried=%llu lost=%llu\n",
              (unsigned long long)s.requests, (unsigned long long)s.sent,
              (unsigned long long)s.answered, (unsigned long long)s.retried,
              (unsigned long long)s.timed_out);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  ::signal(SIGTERM, on_term);
  std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "worker" && argc == 6)
      return run_worker(argv);
    if (mode == "client" && argc == 8)
      return run_client(argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mdp_test_peer: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: mdp_test_peer worker EP SERVICE HEARTBEAT_MS WORK_MS\n"
                       "       mdp_test_peer client EP SERVICE COUNT TIMEOUT_MS RETRIES PREFIX\n");
  return 2;
}
