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
  event_printer events{sock, args};
  failure_watch failures{sock, args};
  attach_endpoints(sock, args);
  uint64_t echoed = 0;
  std::optional<message> msg;
  outcome result = outcome::received;
  while (!args.count_given || echoed < args.count) {
    result = next_message(sock, stop, args.timeout_ms, msg);
    if (result != outcome::received)
      break;
    if (!sock.send(std::move(*msg))) {
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
  } else if (result == outcome::interrupted && args.count_given) {
    std::fprintf(stderr, "cafmq: error: interrupted after %llu of %llu messages\n", n,
                 static_cast<unsigned long long>(args.count));
    status = 1;
  }
  sock.close();
  return status;
}

} // namespace cafmq::cli
