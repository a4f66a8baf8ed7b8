#include "frame_args.hpp"

#include "file_bytes.hpp"

#include <cstdio>

namespace cafmq::cli {

frame_arg parse_frame_word(const std::string& word) {
  if (word == "-")
    return {frame_arg::source::stdin_bytes, {}};
  if (!word.empty() && word[0] == '@')
    return {frame_arg::source::file, word.substr(1)};
  return {frame_arg::source::text, word};
}

message build_message(const std::vector<frame_arg>& frames) {
  message msg;
  for (auto& f : frames) {
    switch (f.from) {
      case frame_arg::source::text: msg.add(frame{f.value}); break;
      case frame_arg::source::stdin_bytes: msg.add(frame{read_all(stdin, "stdin")}); break;
      case frame_arg::source::file: msg.add(frame{read_file("FRAME @" + f.value, f.value)}); break;
    }
  }
  return msg;
}

} // namespace cafmq::cli
