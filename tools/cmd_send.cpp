// `cafmq send`: one message built from the FRAME arguments, sent --count times (--interval-ms
// apart), then a close that lingers until the peers have it. Success means nothing was
// discarded. PUB/XPUB may first wait for --wait-subscribers subscribers.
#include "commands.hpp"
#include "event_printer.hpp"
#include "failure_watch.hpp"
#include "frame_args.hpp"

#include "runtime/context.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

namespace cafmq::cli {

namespace {

/// Sends `msg` `count` times, `interval_ms` apart; returns how many went out before a send
/// timed out.
uint64_t send_all(socket& sock, const message& msg, uint64_t count, int interval_ms) {
  for (uint64_t i = 0; i < count; ++i) {
    if (i > 0 && interval_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));  // pacing asked for
    if (!sock.send(msg))  // the copy shares the frame buffers: cheap
      return i;
  }
  return count;
}

/// --wait-subscribers: waits (up to --timeout-ms, else for good) for the subscribers.
void wait_for_subscribers(socket& sock, const cli_args& args) {
  if (args.wait_subscribers == 0)
    return;
  auto budget = args.timeout_ms < 0 ? std::chrono::milliseconds(std::chrono::hours(24 * 365))
                                     : std::chrono::milliseconds(args.timeout_ms);
  if (!sock.wait_subscribers(args.wait_subscribers, budget))
    throw std::runtime_error("timed out after " + std::to_string(args.timeout_ms)
                             + " ms waiting for " + std::to_string(args.wait_subscribers)
                             + " subscriber(s)");
}

/// Says on stderr why not every message went out, root cause first; returns the exit status.
int report(const cli_args& args, const socket_options& options, uint64_t sent, size_t discarded,
           const failure_watch& failures) {
  auto count = std::to_string(args.count);
  std::string what;
  if (sent < args.count) {
    what = "send timed out after " + std::to_string(args.timeout_ms) + " ms: sent "
           + std::to_string(sent) + " of " + count;
  } else if (discarded > 0) {
    // With linger -1 close only discards what no connection is left to write (the connector
    // gave up, or never existed); otherwise linger ran out.
    what = std::to_string(discarded) + " of " + count + " message(s) discarded before being written ("
           + (options.linger_ms < 0 ? std::string("no connection left to write them")
                                    : "linger of " + std::to_string(options.linger_ms) + " ms expired")
           + ")";
  } else {
    return 0;
  }
  // Waits for the connectors' last word only on this failure path.
  auto cause = discarded > 0 ? failures.root_cause_after_close(std::chrono::milliseconds(500))
                             : failures.root_cause();
  if (cause.empty() && sent < args.count)
    cause = "no peer ready to take it";
  std::fprintf(stderr, "cafmq: error: %s\n", with_cause(cause, what).c_str());
  return 1;
}

} // namespace

int run_send(const cli_args& args) {
  auto options = args.options;
  if (!args.sndtimeo_given)
    options.sndtimeo_ms = args.timeout_ms;
  message msg = build_message(args.frames);  // shared with request
  context ctx;
  socket sock{ctx, args.type, options};
  event_printer events{sock, args};
  failure_watch failures{sock, args};
  uint64_t sent = 0;
  try {
    attach_endpoints(sock, args);
    wait_for_subscribers(sock, args);
    sent = send_all(sock, msg, args.count, args.interval_ms);
  } catch (...) {
    sock.set_linger(std::chrono::milliseconds(0));  // do not wait on the way out of an error
    throw;
  }
  if (sent < args.count)
    sock.set_linger(std::chrono::milliseconds(0));
  size_t discarded = sock.close();
  return report(args, options, sent, discarded, failures);
}

} // namespace cafmq::cli
