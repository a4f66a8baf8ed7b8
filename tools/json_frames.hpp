// A message as one line of JSON: an array of its frames as strings. Valid UTF-8 passes through,
// every byte that is not part of a valid UTF-8 sequence becomes "\u00XX".
#pragma once

#include "runtime/core/message.hpp"

#include <string>
#include <string_view>

namespace cafmq::cli {

/// Appends `bytes` as a quoted JSON string to `out`.
void append_json_string(std::string& out, std::string_view bytes);
/// Appends `msg` as a JSON array of strings (no newline) to `out`.
void append_json_message(std::string& out, const message& msg);

} // namespace cafmq::cli
