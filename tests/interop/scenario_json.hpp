// A scenario's steps as the JSON the python peers read (tests/interop/pyzmq_*.py): frames as
// latin-1 code points.
#pragma once

#include "interop/scenarios.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace cafmq::test {

/// `f` as a JSON string, each byte one code point.
inline std::string json_string(const std::string& f) {
  std::string out = "\"";
  for (unsigned char c : f) {
    char buf[8];
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// [[side, kind, [frame...], [skip frame...]], ...]
inline std::string steps_json(const std::vector<step>& steps) {
  auto list = [&](const frames& fs) {
    std::string out = "[";
    for (size_t i = 0; i < fs.size(); ++i)
      out += (i ? "," : "") + json_string(fs[i]);
    return out + "]";
  };
  const char* kinds[] = {"send", "recv", "send_until", "recv_first", "recv_skip", "recv_pumping"};
  std::string out = "[";
  for (size_t i = 0; i < steps.size(); ++i) {
    auto& s = steps[i];
    out += (i ? "," : "") + std::string("[\"") + s.side + "\",\"" + kinds[static_cast<int>(s.kind)]
           + "\"," + list(s.message) + "," + list(s.skip) + "]";
  }
  return out + "]";
}

} // namespace cafmq::test
