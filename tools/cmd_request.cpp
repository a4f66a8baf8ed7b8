// `cafmq request`: a client (REQ, DEALER or PAIR) that sends the message made of the FRAME
// arguments and prints the reply as a JSON line, --count times. A REQ reply arrives without its
// envelope; DEALER and PAIR print every frame they get.
#include "commands.hpp"
#include "event_printer.hpp"
#include "message_io.hpp"

#include "runtime/context.hpp"

#include <cstdio>
#include <optional>
#include <string>

namespace cafmq::cli {

namespace {

int fail(const char* what, const cli_args& args, uint64_t done) {
  std::fprintf(stderr, "cafmq: error: %s (request %llu of %llu, timeout %d ms)\n", what,
               static_cast<unsigned long long>(done) + 1,
               static_cast<unsigned long long>(args.count), args.timeout_ms);
  if (args.quiet)
    print_received(done);
  return 1;
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
  attach_endpoints(sock, args);
  message request = build_message(args.frames);
  std::string line;
  std::optional<message> reply;
  for (uint64_t done = 0; done < args.count; ++done) {
    if (!sock.send(request))
      return fail("send timed out (no peer ready?)", args, done);
    switch (next_message(sock, stop, args.timeout_ms, reply)) {
      case outcome::received: break;
      case outcome::timed_out: return fail("timed out waiting for the reply", args, done);
      case outcome::interrupted: return fail("interrupted", args, done);
    }
    if (!args.quiet)
      print_json_line(line, *reply);
  }
  if (args.quiet)
    print_received(args.count);
  return 0;
}

} // namespace cafmq::cli
