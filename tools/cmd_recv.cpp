// `cafmq recv`: receives messages and prints each as a line of JSON, until --count, a timeout
// or SIGINT/SIGTERM. Waits in short slices so a signal is noticed while idle.
#include "commands.hpp"
#include "json_frames.hpp"
#include "stop_signal.hpp"

#include "runtime/context.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

namespace cafmq::cli {

namespace {

using clock = std::chrono::steady_clock;

/// How long one blocking recv may run before the stop flag is checked again.
constexpr int slice_ms = 100;

enum class outcome { received, timed_out, interrupted };

/// Waits for the next message into `out`, up to `timeout_ms` (-1: forever) in total.
outcome next_message(socket& sock, const stop_signal& stop, int timeout_ms,
                     std::optional<message>& out) {
  out = sock.recv(std::chrono::milliseconds(0));  // the busy case: no clock, no waiting
  if (out)
    return outcome::received;
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    if (stop.requested())
      return outcome::interrupted;
    int wait = slice_ms;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0)
        return outcome::timed_out;
      wait = std::min<int>(wait, static_cast<int>(left.count()) + 1);
    }
    out = sock.recv(std::chrono::milliseconds(wait));
    if (out)
      return outcome::received;
  }
}

void print_line(std::string& line, const message& msg) {
  line.clear();
  append_json_message(line, msg);
  line.push_back('\n');
  if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0)
    throw std::runtime_error("cannot write to stdout");
}

/// Receives until done; returns the outcome that ended the loop and counts into `received`.
outcome receive_loop(socket& sock, const stop_signal& stop, const cli_args& args,
                     uint64_t& received) {
  std::string line;
  line.reserve(4096);
  std::optional<message> msg;
  while (!args.count_given || received < args.count) {
    auto result = next_message(sock, stop, args.timeout_ms, msg);
    if (result != outcome::received)
      return result;
    ++received;
    if (!args.quiet)
      print_line(line, *msg);
  }
  return outcome::received;
}

int report(const cli_args& args, outcome result, uint64_t received) {
  if (args.quiet) {
    std::printf("received %llu\n", static_cast<unsigned long long>(received));
    std::fflush(stdout);
  }
  auto n = static_cast<unsigned long long>(received);
  if (result == outcome::timed_out) {
    std::fprintf(stderr, "cafmq: error: timed out: no message within %d ms (received %llu)\n",
                 args.timeout_ms, n);
    return 1;
  }
  if (result == outcome::interrupted && args.count_given) {
    std::fprintf(stderr, "cafmq: error: interrupted after %llu of %llu messages\n", n,
                 static_cast<unsigned long long>(args.count));
    return 1;
  }
  return 0;
}

} // namespace

int run_recv(const cli_args& args) {
  stop_signal stop;  // first: the context's threads must inherit the blocked signals
  context ctx;
  socket sock{ctx, args.type, args.options};
  attach_endpoints(sock, args);
  uint64_t received = 0;
  auto result = receive_loop(sock, stop, args, received);
  sock.close();
  return report(args, result, received);
}

} // namespace cafmq::cli
