// `cafmq send`: one message built from the FRAME arguments, sent --count times (--interval-ms
// apart), then a close that lingers until the peers have it. Success means nothing was
// discarded. PUB/XPUB may first wait for --wait-subscribers subscribers. SIGINT/SIGTERM stops
// the sending; the close then lingers as usual, and a summary line says what went out.
#include "commands.hpp"
#include "event_printer.hpp"
#include "failure_watch.hpp"
#include "frame_args.hpp"
#include "message_io.hpp"
#include "stop_signal.hpp"

#include "runtime/context.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace cafmq::cli {

namespace {

/// Sends `msg` --count times, --interval-ms apart, counting into `sent`; returns how it ended:
/// `sent` once all went out, `timed_out` (a send blocked past `timeout_ms`) or `interrupted`.
outcome send_all(interruptible& out, const stop_signal& stop, const message& msg,
                 const cli_args& args, int timeout_ms, uint64_t& sent) {
  sent = 0;
  if (args.interval_ms == 0)
    return out.send_copies(timeout_ms, msg, args.count, sent);
  for (; sent < args.count; ++sent) {
    if (sent > 0 && stop.wait(std::chrono::milliseconds(args.interval_ms)))
      return outcome::interrupted;  // the pacing asked for, cut short by a signal
    auto result = out.send(timeout_ms, msg);
    if (result != outcome::sent)
      return result;
  }
  return outcome::sent;
}

/// --wait-subscribers: waits (up to --timeout-ms, else for good) for the subscribers; false if a
/// signal came first. The library's wait takes no stop, so it runs in slices (only at start-up).
bool wait_for_subscribers(socket& sock, const stop_signal& stop, const cli_args& args) {
  if (args.wait_subscribers == 0)
    return true;
  constexpr auto slice = std::chrono::milliseconds(100);
  auto budget = args.timeout_ms < 0 ? std::chrono::milliseconds(std::chrono::hours(24 * 365))
                                     : std::chrono::milliseconds(args.timeout_ms);
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (!stop.requested()) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (sock.wait_subscribers(args.wait_subscribers, std::clamp(left, std::chrono::milliseconds(0), slice)))
      return true;
    if (left <= slice)
      throw std::runtime_error("timed out after " + std::to_string(args.timeout_ms)
                               + " ms waiting for " + std::to_string(args.wait_subscribers)
                               + " subscriber(s)");
  }
  return false;
}

/// After a signal: the summary line; exit 0 only if every message went out and none was
/// discarded (the signal came while the close lingered, and the linger was enough). `forced`:
/// a second signal had come when the close returned, looked at once for the line and status.
int report_stop(const stop_signal& stop, bool forced, const cli_args& args,
                const socket_options& options, uint64_t sent, size_t discarded) {
  auto what = "sent " + std::to_string(sent) + " of " + std::to_string(args.count) + ", discarded "
              + std::to_string(discarded);
  if (discarded > 0)
    what += forced                 ? " (a second signal ended the linger)"
            : options.linger_ms < 0 ? " (no connection left to write them)"
                                    : " (linger of " + std::to_string(options.linger_ms) + " ms expired)";
  bool failed = sent < args.count || discarded > 0;
  stop.print_summary(what, failed);
  return failed || forced ? 1 : 0;
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
  stop_signal stop;  // before the context: its threads must inherit the blocked signals
  context ctx;
  socket sock{ctx, args.type, options};
  stop_signal::linger_guard second_signal_ends_linger{stop, sock};
  interruptible out{sock, stop};
  event_printer events{sock, args};
  failure_watch failures{sock, args};
  uint64_t sent = 0;
  auto result = outcome::interrupted;
  try {
    attach_endpoints(sock, args);
    if (wait_for_subscribers(sock, stop, args))
      result = send_all(out, stop, msg, args, options.sndtimeo_ms, sent);
  } catch (...) {
    sock.set_linger(std::chrono::milliseconds(0));  // do not wait on the way out of an error
    throw;
  }
  if (result == outcome::timed_out)
    sock.set_linger(std::chrono::milliseconds(0));
  // A signal stops the sending; the close still lingers for what was queued (a second ends it).
  size_t discarded = sock.close();
  if (stop.requested() && result != outcome::timed_out)
    return report_stop(stop, stop.forced(), args, options, sent, discarded);
  return report(args, options, sent, discarded, failures);
}

} // namespace cafmq::cli
