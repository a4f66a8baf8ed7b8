// How `cafmq recv` and `cafmq request` print a received message (--format).
#pragma once

#include "runtime/core/message.hpp"

#include <optional>
#include <string>

namespace cafmq::cli {

/// --format: json (default, lossless JSON lines), hex and base64 (a line per message, frames
/// separated by one space), raw (the frames' bytes back to back, nothing between messages).
enum class output_format { json, hex, base64, raw };

/// Parses a --format value; nullopt if unknown.
std::optional<output_format> parse_output_format(const std::string& name);

/// Appends `msg` to `out` in `format`, with the newline that ends it (none for raw).
void append_message(std::string& out, const message& msg, output_format format);

} // namespace cafmq::cli
