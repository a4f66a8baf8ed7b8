// Minimal logging to stderr. CAF 0.17's logger is compiled out in Debian's build, so cafmq has
// its own. Level from CAFMQ_LOG (error, warn, info, debug); default warn.
#pragma once

#include <string_view>

namespace cafmq::log {

/// Severity, most severe first.
enum class level { error = 0, warn = 1, info = 2, debug = 3 };

/// True if messages of `lvl` are printed.
bool enabled(level lvl) noexcept;
/// Prints one line "cafmq <level> <component>: <text>" if `lvl` is enabled.
void write(level lvl, std::string_view component, std::string_view text);

} // namespace cafmq::log
