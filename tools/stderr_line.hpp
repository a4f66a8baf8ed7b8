// Lines on stderr that never block for long: a supervisor that reads only stdout, or nothing,
// must not keep a command from stopping (docs/cli.md "Signals and exit codes").
#pragma once

#include <chrono>
#include <string>

namespace cafmq::cli {

/// Writes `line` (one whole line, at most PIPE_BUF bytes, so a pipe takes it whole or not at all)
/// on stderr with write(2), bypassing stdio and its lock. Waits at most `room` for stderr to take
/// it, then drops it; true if it was written.
bool write_stderr_line(const std::string& line, std::chrono::milliseconds room);

} // namespace cafmq::cli
