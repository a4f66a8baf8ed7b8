// `cafmq request`: a client (REQ, DEALER or PAIR) that sends the message made of the FRAME
// arguments and prints the reply (--format), --count times. A REQ reply arrives without its
// envelope; DEALER and PAIR print every frame they get. With --attempts N a request whose reply
// does not come within --timeout-ms is sent again, up to N times in all (socket::request).
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

/// One attempt on a DEALER or PAIR: send, then wait for the reply.
outcome attempt_once(socket& sock, const stop_signal& stop, const cli_args& args,
                     const message& request, std::optional<message>& reply, bool& sent) {
  sent = sock.send(request);
  if (!sent)
    return outcome::timed_out;
  return next_message(sock, stop, args.timeout_ms, reply);
}

/// One request with its retries; `why` says what went wrong when the outcome is not `received`.
outcome exchange(socket& sock, const stop_signal& stop, const cli_args& args,
                 const message& request, std::optional<message>& reply, std::string& why) {
  for (int attempt = 1; attempt <= args.attempts; ++attempt) {
    if (stop.requested())
      return outcome::interrupted;
    if (args.type == socket_type::req && args.attempts > 1) {
      // socket::request resets the REQ state machine, so a later attempt may send again.
      reply = sock.request(request, std::chrono::milliseconds(args.timeout_ms), 1);
      if (reply)
        return outcome::received;
      why = "timed out waiting for the reply";
      continue;
    }
    bool sent = false;
    auto result = attempt_once(sock, stop, args, request, reply, sent);
    if (result != outcome::timed_out)
      return result;
    why = sent ? "timed out waiting for the reply" : "send timed out (no peer ready?)";
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
  socket sock{ctx, args.type, options};
  event_printer events{sock, args};
  failure_watch failures{sock, !args.options.curve_serverkey.empty()};
  attach_endpoints(sock, args);
  message request = build_message(args.frames);
  std::string line;
  std::optional<message> reply;
  for (uint64_t done = 0; done < args.count; ++done) {
    std::string why;
    switch (exchange(sock, stop, args, request, reply, why)) {
      case outcome::received: break;
      case outcome::timed_out: return fail(why, args, done, failures);
      case outcome::interrupted: return fail("interrupted", args, done, failures);
    }
    if (!args.quiet)
      print_message(line, *reply, args.format);
  }
  if (args.quiet)
    print_received(args.count);
  return 0;
}

} // namespace cafmq::cli
