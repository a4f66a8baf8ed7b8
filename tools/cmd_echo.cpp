// `cafmq echo`: a server that sends every message it receives back where it came from: REP
// replies, ROUTER keeps the routing id frame so the message returns to its sender, DEALER and
// PAIR send it back as is. Prints nothing; exits after --count messages, a timeout or a signal.
#include "commands.hpp"
#include "event_printer.hpp"
#include "failure_watch.hpp"
#include "message_io.hpp"

#include "runtime/context.hpp"

#include <cstdio>
#include <optional>

namespace cafmq::cli {

int run_echo(const cli_args& args) {
  stop_signal stop;  // first: the context's threads must inherit the blocked signals
  context ctx;
  auto options = args.options;
  if (!args.sndtimeo_given)
    options.sndtimeo_ms = args.timeout_ms;
  socket sock{ctx, args.type, options};
  stop_signal::linger_guard second_signal_ends_linger{stop, sock};
  interruptible io{sock, stop};
  event_printer events{sock, args};
  failure_watch failures{sock, args};
  attach_endpoints(sock, args);
  uint64_t echoed = 0;
  std::optional<message> msg;
  outcome result = outcome::received;
  while (!args.count_given || echoed < args.count) {
    result = io.recv(args.timeout_ms, msg);
    if (result != outcome::received)
      break;
    result = io.send(options.sndtimeo_ms, *msg);
    if (result == outcome::interrupted)
      break;
    if (result != outcome::sent) {
      std::fprintf(stderr, "cafmq: error: sending reply %llu timed out after %d ms\n",
                   static_cast<unsigned long long>(echoed) + 1, args.timeout_ms);
      sock.set_linger(std::chrono::milliseconds(0));
      return 1;
    }
    ++echoed;
  }
  // The verdict goes out before the close, which may linger.
  int status = 0;
  auto n = static_cast<unsigned long long>(echoed);
  if (result == outcome::timed_out) {
    auto what = "timed out: no message within " + std::to_string(args.timeout_ms)
                + " ms (echoed " + std::to_string(n) + ")";
    std::fprintf(stderr, "cafmq: error: %s\n", failures.explain(what).c_str());
    status = 1;
  } else if (result == outcome::interrupted) {
    // Without --count a stop is the normal end; with it, N messages were not all echoed.
    auto what = "echoed " + std::to_string(n);
    if (args.count_given)
      what += " of " + std::to_string(args.count);
    stop.print_summary(what, args.count_given);
    status = args.count_given ? 1 : 0;
  }
  sock.close();
  return stop.status(status);
}

} // namespace cafmq::cli
