// Logging sink: one write per line so concurrent lines do not interleave.
#include "runtime/core/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace cafmq::log {

namespace {

level configured_level() {
  const char* env = std::getenv("CAFMQ_LOG");
  std::string v = env ? env : "";
  if (v == "error") return level::error;
  if (v == "info") return level::info;
  if (v == "debug") return level::debug;
  return level::warn;
}

const char* name(level lvl) {
  switch (lvl) {
    case level::error: return "error";
    case level::warn: return "warn";
    case level::info: return "info";
    case level::debug: return "debug";
  }
  return "?";
}

} // namespace

bool enabled(level lvl) noexcept {
  static const level threshold = configured_level();
  return lvl <= threshold;
}

void write(level lvl, std::string_view component, std::string_view text) {
  if (!enabled(lvl))
    return;
  std::string line = "cafmq ";
  line += name(lvl);
  line += ' ';
  line += component;
  line += ": ";
  line += text;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace cafmq::log
