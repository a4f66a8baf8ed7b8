// Test vectors are written as hex strings ("02 4e 55 4c 4c"): spaces and other separators are
// skipped, digits are lower-case.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cafmq::test {

inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : hex) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0)
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

} // namespace cafmq::test
