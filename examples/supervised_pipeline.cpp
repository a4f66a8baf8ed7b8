// Demo: a PUSH sender feeds a PULL worker process over TCP loopback; the worker is killed with
// SIGKILL mid-stream, a new one binds the same port, and cafmq's connector reconnects so the
// stream resumes. The sender prints its socket's monitor events as they happen and its
// supervision tree once the new worker is connected. Exit 0 if the stream resumed, 1 if not.
// Run without arguments.
#include <cafmq/cafmq.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

constexpr int total = 600;        // messages numbered 1..total
constexpr int kill_after = 200;   // the sender kills worker 1 after handing it this many
constexpr auto pace = std::chrono::milliseconds(2);
constexpr auto worker_patience = std::chrono::seconds(5);  // a silent worker gives up after this

// ---- the worker process (this binary re-executed with --worker) ----

/// Reports one line to the parent with a raw write: stdio buffers would die with a SIGKILL.
void report(const std::string& line) {
  std::string out = line + "\n";
  if (::write(STDOUT_FILENO, out.data(), out.size()) < 0)
    std::exit(1);  // the parent is gone
}

int run_worker(const char* endpoint) {
  cafmq::context ctx;
  cafmq::socket pull{ctx, cafmq::socket_type::pull};
  pull.bind(endpoint);
  report("bound " + pull.last_endpoint());
  for (;;) {
    auto msg = pull.recv(worker_patience);
    if (!msg) {
      std::fprintf(stderr, "worker: no message for %lld s, giving up\n",
                   static_cast<long long>(worker_patience.count()));
      return 1;
    }
    auto number = (*msg)[0].to_string();
    report(number);
    if (number == std::to_string(total))
      return 0;
  }
}

// ---- the parent: spawns, watches and reaps workers ----

/// A worker process and the pipe its reports arrive on; killed and reaped when destroyed.
struct worker {
  int id = 0;
  pid_t pid = -1;
  int reports = -1;
  std::string buffered;  // bytes read past the last full line
  int status = 0;
  bool reaped = false;

  ~worker() {
    if (pid > 0 && !reaped) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    if (reports >= 0)
      ::close(reports);
  }
};

/// Forks and re-executes this binary as a worker binding `endpoint`. exec gives the child a
/// fresh process: forking a process with running CAF and Asio threads is only safe that way.
void spawn(worker& w, int id, const std::string& self, const std::string& endpoint) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  const char* argv[] = {self.c_str(), "--worker", endpoint.c_str(), nullptr};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close_range(3, ~0U, 0);  // no inherited sockets: a dead connection must really close
    ::execv(self.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0)
    throw std::runtime_error("fork failed");
  w.id = id;
  w.pid = pid;
  w.reports = fds[0];
}

/// The next report line, or nullopt at EOF (the worker died) or after `timeout`.
std::optional<std::string> read_line(worker& w, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = w.buffered.find('\n'); nl != std::string::npos) {
      auto line = w.buffered.substr(0, nl);
      w.buffered.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd pfd{w.reports, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
      return std::nullopt;
    char buf[4096];
    auto n = ::read(w.reports, buf, sizeof buf);
    if (n <= 0)
      return std::nullopt;
    w.buffered.append(buf, static_cast<size_t>(n));
  }
}

/// Waits for the worker's "bound <endpoint>" line; returns the endpoint.
std::string await_bound(worker& w) {
  auto line = read_line(w, std::chrono::seconds(5));
  if (!line || line->rfind("bound ", 0) != 0)
    throw std::runtime_error("worker " + std::to_string(w.id) + " did not bind");
  auto endpoint = line->substr(6);
  std::printf("worker %d (pid %d) listening on %s\n", w.id, w.pid, endpoint.c_str());
  return endpoint;
}

/// What a worker reported receiving: numbers first..last, `in_order` if without gaps.
struct received_range {
  int first = 0, last = 0, count = 0;
  bool in_order = true;
};

/// Reads the worker's reports until it is gone (EOF) or silent for `timeout`.
received_range drain(worker& w, std::chrono::milliseconds timeout) {
  received_range r;
  while (auto line = read_line(w, timeout)) {
    int n = std::atoi(line->c_str());
    if (r.count > 0 && n != r.last + 1)
      r.in_order = false;
    if (r.count++ == 0)
      r.first = n;
    r.last = n;
  }
  std::printf("worker %d (pid %d) received %d..%d (%d messages%s)\n", w.id, w.pid, r.first,
              r.last, r.count, r.in_order ? "" : ", NOT in order");
  return r;
}

void reap(worker& w) {
  ::waitpid(w.pid, &w.status, 0);
  w.reaped = true;
}

/// Kills worker 1 the hard way and starts worker 2 on the same endpoint.
received_range replace_worker(worker& w1, worker& w2, const std::string& self,
                              const std::string& endpoint) {
  std::printf("sender handed out %d messages: killing worker 1 with SIGKILL\n", kill_after);
  ::kill(w1.pid, SIGKILL);
  reap(w1);
  std::printf("worker 1 killed (%s)\n",
              WIFSIGNALED(w1.status) ? strsignal(WTERMSIG(w1.status)) : "exited on its own");
  auto r1 = drain(w1, std::chrono::seconds(5));  // EOF comes at once: its writer is dead
  spawn(w2, 2, self, endpoint);
  await_bound(w2);
  std::printf("sender keeps sending; its connector redials every 100 ms until worker 2 answers\n");
  return r1;
}

/// Sends 1..total, replacing the worker after kill_after; nullopt if a send stayed blocked.
std::optional<received_range> feed(cafmq::socket& push, worker& w1, worker& w2,
                                   const std::string& self, const std::string& endpoint) {
  received_range r1;
  for (int i = 1; i <= total; ++i) {
    if (!push.send(cafmq::message{std::to_string(i)})) {
      std::printf("FAILED: send %d blocked for 5 s: the stream did not resume\n", i);
      return std::nullopt;
    }
    if (i == kill_after)
      r1 = replace_worker(w1, w2, self, endpoint);
    if (i == kill_after + 100)
      std::printf("supervision tree now:\n%s", cafmq::to_text(push.describe()).c_str());
    std::this_thread::sleep_for(pace);  // pacing only, not synchronization
  }
  return r1;
}

/// Prints the outcome; true if worker 2 got the rest of the stream, in order, to the end.
// What the monitor events told: the supervisor's view of the restart.
struct event_counts {
  std::atomic<int> handshakes{0};
  std::atomic<int> disconnects{0};
  std::atomic<int> retries{0};
};

bool verdict(const received_range& r1, const received_range& r2, size_t discarded,
             const worker& w2, const event_counts& events) {
  int lost = r2.count > 0 ? r2.first - r1.last - 1 : total - r1.count;
  std::printf("messages lost in flight when the worker died: %d (ZeroMQ semantics: a queue to a "
              "dead peer is gone; the sender's own queue survived the reconnect)\n", lost);
  std::printf("monitor events: %d handshakes, %d disconnect, %d reconnect attempts\n",
              events.handshakes.load(), events.disconnects.load(), events.retries.load());
  bool ok = r1.in_order && r2.in_order && r2.count > 0 && r2.last == total && discarded == 0
            && WIFEXITED(w2.status) && WEXITSTATUS(w2.status) == 0 && events.handshakes >= 2
            && events.disconnects >= 1;
  std::printf(ok ? "OK: the stream resumed after the worker died\n"
                 : "FAILED: the stream did not resume\n");
  return ok;
}

int run_parent(const std::string& self) {
  ::setenv("CAFMQ_LOG", "warn", 0);  // the monitor events below tell the story
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep the story in step with the log on stderr
  std::printf("supervised pipeline: PUSH sender -> PULL worker process, %d messages, 1 every "
              "%lld ms\n", total, static_cast<long long>(pace.count()));
  worker w1, w2;  // declared before the context: reaped after it is gone
  spawn(w1, 1, self, "tcp://127.0.0.1:*");
  auto endpoint = await_bound(w1);

  event_counts counts;  // before the context: its actors report events until it is gone
  cafmq::context ctx;
  cafmq::socket_options opts;
  opts.reconnect_ivl_ms = 100;
  opts.sndtimeo_ms = 5000;  // a send blocked this long means the stream is stuck
  opts.linger_ms = 5000;
  cafmq::socket push{ctx, cafmq::socket_type::push, opts};
  push.add_event_callback([&counts](const cafmq::monitor_event& e) {
    // On cafmq's threads: quick, no calls back into the socket.
    counts.handshakes += e.kind == cafmq::event_kind::handshake_succeeded;
    counts.disconnects += e.kind == cafmq::event_kind::disconnected;
    counts.retries += e.kind == cafmq::event_kind::connect_retried;
    std::printf("  event %s\n", cafmq::to_json(e).c_str());
  });
  push.connect(endpoint);
  auto r1 = feed(push, w1, w2, self, endpoint);
  if (!r1) {
    push.set_linger(std::chrono::milliseconds(0));
    return 1;
  }
  size_t discarded = push.close();
  auto r2 = drain(w2, std::chrono::seconds(5));
  reap(w2);
  return verdict(*r1, r2, discarded, w2, counts) ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::string(argv[1]) == "--worker")
      return run_worker(argv[2]);
    char self[4096];
    auto n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
      throw std::runtime_error("cannot find my own executable");
    return run_parent(std::string(self, static_cast<size_t>(n)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "supervised_pipeline: error: %s\n", e.what());
    return 1;
  }
}
