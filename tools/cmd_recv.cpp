// `cafmq recv`: receives messages and prints each (--format), until --count, a timeout or
// SIGINT/SIGTERM. SUB and XSUB subscribe to each --subscribe prefix first. The final error is
// printed before the socket closes, so a lingering close cannot hide it.
#include "commands.hpp"
#include "event_printer.hpp"
#include "failure_watch.hpp"
#include "message_io.hpp"

#include "runtime/context.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

namespace cafmq::cli {

namespace {

/// Subscribes to every --subscribe prefix: an option on SUB, a message on XSUB (libzmq).
void subscribe_all(socket& sock, const cli_args& args) {
  for (auto& prefix : args.subscriptions) {
    if (args.type == socket_type::sub) {
      sock.subscribe(prefix);
    } else {
      std::string sub = "\x01" + prefix;
      sock.send(message{sub});
    }
  }
}

/// How many messages recv may take from the socket at once: a batch, never past --count.
size_t ahead(const cli_args& args, uint64_t received) {
  constexpr uint64_t batch = 256;
  return static_cast<size_t>(args.count_given ? std::min(batch, args.count - received) : batch);
}

/// Receives until done; returns the outcome that ended the loop and counts into `received`.
outcome receive_loop(interruptible& in, const cli_args& args, uint64_t& received) {
  std::string line;
  line.reserve(4096);
  std::optional<message> msg;
  while (!args.count_given || received < args.count) {
    auto result = in.recv(args.timeout_ms, msg, ahead(args, received));
    if (result != outcome::received)
      return result;
    ++received;
    if (!args.quiet)
      print_message(line, *msg, args.format);
  }
  return outcome::received;
}

int report(const cli_args& args, outcome result, uint64_t received, const failure_watch& failures,
           const stop_signal& stop) {
  if (args.quiet)
    print_received(received);
  auto n = static_cast<unsigned long long>(received);
  if (result == outcome::timed_out) {
    auto what = "timed out: no message within " + std::to_string(args.timeout_ms)
                + " ms (received " + std::to_string(n) + ")";
    std::fprintf(stderr, "cafmq: error: %s\n", failures.explain(what).c_str());
    return 1;
  }
  if (result == outcome::interrupted) {
    // Without --count a stop is the normal end; with it, N messages were not all received.
    auto what = "received " + std::to_string(n);
    if (args.count_given)
      what += " of " + std::to_string(args.count);
    stop.print_summary(what, args.count_given);
    return args.count_given ? 1 : 0;
  }
  return 0;
}

} // namespace

int run_recv(const cli_args& args) {
  stop_signal stop;  // first: the context's threads must inherit the blocked signals
  context ctx;
  socket sock{ctx, args.type, args.options};
  stop_signal::linger_guard second_signal_ends_linger{stop, sock};
  interruptible in{sock, stop};
  event_printer events{sock, args};
  failure_watch failures{sock, args};
  subscribe_all(sock, args);  // before connecting: the first connection carries them
  attach_endpoints(sock, args);
  uint64_t received = 0;
  auto result = receive_loop(in, args, received);
  int status = report(args, result, received, failures, stop);
  sock.close();
  return stop.status(status);
}

} // namespace cafmq::cli
