// `cafmq request`: a client (REQ, DEALER or PAIR) that sends the message made of the FRAME
// arguments and prints the reply (--format), --count times. A REQ reply arrives without its
// envelope; DEALER and PAIR print every frame they get. With --attempts N a request whose reply
// does not come within --timeout-ms is sent again, up to N times in all (the Lazy Pirate).
#include "commands.hpp"
#include "event_printer.hpp"
#include "failure_watch.hpp"
#include "frame_args.hpp"
#include "message_io.hpp"

#include "runtime/context.hpp"

#include <cstdio>
#include <optional>
#include <string>

namespace cafmq::cli {

namespace {

int fail(const std::string& what, const cli_args& args, uint64_t done,
         const failure_watch& failures) {
  auto line = failures.explain(what + " (request " + std::to_string(done + 1) + " of "
                               + std::to_string(args.count) + ", timeout "
                               + std::to_string(args.timeout_ms) + " ms)");
  std::fprintf(stderr, "cafmq: error: %s\n", line.c_str());
  if (args.quiet)
    print_received(done);
  return 1;
}

/// One request with its retries; `why` says what went wrong when the outcome is `timed_out`.
/// SIGINT/SIGTERM ends every wait at once.
outcome exchange(interruptible& io, const cli_args& args, const message& request,
                 std::optional<message>& reply, std::string& why) {
  const int send_timeout_ms = io.sock().options().sndtimeo_ms;
  for (int attempt = 1; attempt <= args.attempts; ++attempt) {
    auto result = io.send(send_timeout_ms, request);
    if (result == outcome::timed_out) {
      why = "send timed out after " + std::to_string(send_timeout_ms)
            + " ms (no peer took the request)";
      continue;
    }
    if (result == outcome::sent)
      result = io.recv(args.timeout_ms, reply);
    if (result != outcome::timed_out)
      return result;
    why = "timed out waiting for the reply";
  }
  if (args.attempts > 1)
    why += " after " + std::to_string(args.attempts) + " attempts";
  return outcome::timed_out;
}

} // namespace

int run_request(const cli_args& args) {
  stop_signal stop;  // first: the context's threads must inherit the blocked signals
  context ctx;
  auto options = args.options;
  if (!args.sndtimeo_given)
    options.sndtimeo_ms = args.timeout_ms;
  if (options.linger_ms < 0)
    options.linger_ms = 0;  // replies came back: nothing left worth waiting for on close
  if (args.type == socket_type::req && args.attempts > 1) {
    // libzmq's Lazy Pirate: a REQ that may send again before the reply, and that never takes a
    // late reply to an earlier attempt for the answer.
    options.req_relaxed = true;
    options.req_correlate = true;
  }
  socket sock{ctx, args.type, options};
  stop_signal::linger_guard second_signal_ends_linger{stop, sock};
  interruptible io{sock, stop};
  event_printer events{sock, args};
  failure_watch failures{sock, args};
  attach_endpoints(sock, args);
  message request = build_message(args.frames);
  std::string line;
  std::optional<message> reply;
  for (uint64_t done = 0; done < args.count; ++done) {
    std::string why;
    switch (exchange(io, args, request, reply, why)) {
      case outcome::received:
      case outcome::sent: break;  // exchange ends with the reply, never after the send only
      case outcome::timed_out: return fail(why, args, done, failures);
      case outcome::interrupted:
        return fail(std::string("interrupted by ") + stop.name(), args, done, failures);
    }
    if (!args.quiet)
      print_message(line, *reply, args.format);
  }
  if (args.quiet)
    print_received(args.count);
  sock.close();  // lingers (--linger-ms) only if asked to
  return stop.status(0);
}

} // namespace cafmq::cli
