// A message as one line of JSON, losslessly: an array with one element per frame, a JSON string
// if the frame is well-formed UTF-8, else {"base64":"..."} (RFC 4648 base64 with padding).
#pragma once

#include "runtime/core/message.hpp"

#include <string>
#include <string_view>

namespace cafmq::cli {

/// Appends `bytes` as a quoted JSON string to `out` if they are well-formed UTF-8 and returns
/// true; else leaves `out` as it was and returns false (the caller must then encode them another
/// way, as append_json_frame does).
[[nodiscard]] bool append_json_string(std::string& out, std::string_view bytes);
/// Appends one frame: a JSON string, or {"base64":"..."} for bytes that are not UTF-8.
void append_json_frame(std::string& out, std::string_view bytes);
/// Appends `msg` as a JSON array of frames (no newline) to `out`.
void append_json_message(std::string& out, const message& msg);

} // namespace cafmq::cli
