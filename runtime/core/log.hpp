// cafmq's logging. CAF 0.17's logger is compiled out in Debian's build, so cafmq has its own:
// one line per event, to stderr by default, or to a sink the program installs (its own logger).
// Level from set_level(), else CAFMQ_LOG (error, warn, info, debug); default warn.
// docs/monitoring.md "Logging" says what each level holds.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace cafmq::log {

/// Severity, most severe first: error (cafmq cannot do what it was asked, e.g. a socket actor
/// that failed, a connector escalating after too many restarts), warn (an anomaly worth a look:
/// a peer that broke the protocol or sent malformed input, a failed authentication, a connector
/// that gave up), info (the ordinary life of connections: handshakes, disconnects, reconnects,
/// messages discarded when a context closes), debug.
enum class level { error = 0, warn = 1, info = 2, debug = 3 };

/// Receives each line: its level, the component ("session", "connector", ...) and the text.
using sink = std::function<void(level, std::string_view component, std::string_view text)>;

/// True if messages of `lvl` are logged. Any thread, lock-free.
bool enabled(level lvl) noexcept;
/// Logs one line "cafmq <level> <component>: <text>" (stderr) or hands it to the sink, if
/// `lvl` is enabled.
void write(level lvl, std::string_view component, std::string_view text);

/// Logs `lvl` and everything more severe from now on, overriding CAFMQ_LOG. Any thread.
void set_level(level lvl) noexcept;
/// The level in force (set_level(), else CAFMQ_LOG, else warn).
level current_level() noexcept;
/// "error", "warn", "info", "debug".
std::string_view name(level lvl) noexcept;
/// The level named `text` ("error", "warn", "info", "debug"), or nullopt.
std::optional<level> parse_level(std::string_view text) noexcept;

/// Routes every line to `s` instead of stderr; nullptr restores stderr. Any thread; once it
/// returns, the previous sink is not running and is not called again. `s` is called on whatever
/// thread logs: cafmq's I/O thread and actor threads, or a thread inside a cafmq call (close,
/// context close), possibly several at once. It must be quick (it holds up that thread's
/// sockets), must not throw (an exception is swallowed) and must not call back into cafmq; in
/// particular it must not call set_sink, and set_sink must not be called while holding a lock
/// the sink takes (set_sink waits for the lines in progress). The previous sink is destroyed
/// after the new one is in place, outside cafmq's lock.
void set_sink(sink s);

} // namespace cafmq::log
