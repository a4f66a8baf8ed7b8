// Receiving in slices and printing received messages for the commands that receive.
#include "message_io.hpp"

#include "output_format.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace cafmq::cli {

namespace {

using clock = std::chrono::steady_clock;

/// How long one blocking recv or send may run before the stop flag is checked again.
constexpr int slice_ms = 100;

/// Calls `try_for(ms)` (a blocking step that returns true once done) in slices until it
/// succeeds (`done`), `timeout_ms` passes (-1: never) or a stop is requested. The first call
/// does not wait, so the busy case costs no clock.
template <class TryFor>
outcome in_slices(const stop_signal& stop, int timeout_ms, outcome done, TryFor try_for) {
  if (try_for(std::chrono::milliseconds(0)))
    return done;
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
    if (try_for(std::chrono::milliseconds(wait)))
      return done;
  }
}

} // namespace

outcome next_message(socket& sock, const stop_signal& stop, int timeout_ms,
                     std::optional<message>& out) {
  return in_slices(stop, timeout_ms, outcome::received, [&](std::chrono::milliseconds wait) {
    out = sock.recv(wait);
    return out.has_value();
  });
}

outcome send_message(socket& sock, const stop_signal& stop, int timeout_ms, const message& msg) {
  // A copy per try shares the frame buffers: cheap.
  return in_slices(stop, timeout_ms, outcome::sent,
                   [&](std::chrono::milliseconds wait) { return sock.send(msg, wait); });
}

void print_message(std::string& line, const message& msg, output_format format) {
  line.clear();
  append_message(line, msg, format);
  if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0)
    throw std::runtime_error("cannot write to stdout");
}

void print_received(unsigned long long n) {
  std::printf("received %llu\n", n);
  std::fflush(stdout);
}

} // namespace cafmq::cli
