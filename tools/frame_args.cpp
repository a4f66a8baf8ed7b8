#include "frame_args.hpp"

#include "runtime/core/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cafmq::cli {

namespace {

/// All bytes of `in` (binary; stops at EOF). `what` names it in errors.
std::string read_all(std::FILE* in, const std::string& what) {
  std::string bytes;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0)
    bytes.append(buf, n);
  if (std::ferror(in))
    throw error{errc::invalid_argument, "cannot read " + what + ": " + std::strerror(errno)};
  return bytes;
}

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    throw error{errc::invalid_argument,
                "FRAME @" + path + ": cannot open '" + path + "': " + std::strerror(errno)};
  try {
    auto bytes = read_all(f, "'" + path + "'");
    std::fclose(f);
    return bytes;
  } catch (...) {
    std::fclose(f);
    throw;
  }
}

} // namespace

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
      case frame_arg::source::file: msg.add(frame{read_file(f.value)}); break;
    }
  }
  return msg;
}

} // namespace cafmq::cli
