// Receiving with a stop flag and printing messages (--format): shared by recv, echo and request.
#pragma once

#include "output_format.hpp"
#include "stop_signal.hpp"

#include "runtime/socket.hpp"

#include <optional>
#include <string>

namespace cafmq::cli {

/// How waiting for a message, or for room to send one, ended.
enum class outcome { received, sent, timed_out, interrupted };

/// Waits for the next message into `out`, up to `timeout_ms` (-1: forever) in total, in short
/// slices so that SIGINT/SIGTERM is noticed while idle.
outcome next_message(socket& sock, const stop_signal& stop, int timeout_ms,
                     std::optional<message>& out);

/// Sends `msg`, waiting up to `timeout_ms` (-1: forever) for room, in short slices so that
/// SIGINT/SIGTERM is noticed while blocked. `sent` on success.
outcome send_message(socket& sock, const stop_signal& stop, int timeout_ms, const message& msg);

/// Prints `msg` on stdout in `format` and flushes; `line` is a reusable buffer. Throws if stdout
/// cannot be written.
void print_message(std::string& line, const message& msg, output_format format);

/// Prints "received N" on stdout (the --quiet summary).
void print_received(unsigned long long n);

} // namespace cafmq::cli
