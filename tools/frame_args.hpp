// FRAME arguments of `cafmq send` / `cafmq request`: text, all of stdin (`-`) or a file's bytes
// (`@FILE`); `--frame TEXT` is always text. The bytes are read when the message is built.
#pragma once

#include "runtime/core/message.hpp"

#include <string>
#include <vector>

namespace cafmq::cli {

/// One frame as given on the command line.
struct frame_arg {
  enum class source { text, stdin_bytes, file };
  source from = source::text;
  std::string value;  ///< the text, or the file name
};

/// A positional FRAME word: "-" is stdin, "@FILE" a file, anything else text.
frame_arg parse_frame_word(const std::string& word);

/// One message made of `frames`, in order. Throws cafmq::error if a file or stdin cannot be read.
message build_message(const std::vector<frame_arg>& frames);

} // namespace cafmq::cli
