// Z85 per RFC 32: big-endian 32-bit groups written in base 85, most significant digit first.
#include "security/z85.hpp"

#include <array>

namespace cafmq::security {

namespace {

constexpr char alphabet[] =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
static_assert(sizeof alphabet == 86);

// Character -> digit, 0xFF for characters outside the alphabet.
constexpr std::array<uint8_t, 256> make_digits() {
  std::array<uint8_t, 256> d{};
  for (auto& x : d)
    x = 0xFF;
  for (uint8_t i = 0; i < 85; ++i)
    d[static_cast<uint8_t>(alphabet[i])] = i;
  return d;
}
constexpr auto digits = make_digits();

} // namespace

std::optional<std::string> z85_encode(const uint8_t* data, size_t size) {
  if (size % 4 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(size / 4 * 5);
  for (size_t i = 0; i < size; i += 4) {
    uint32_t v = (uint32_t{data[i]} << 24) | (uint32_t{data[i + 1]} << 16)
                 | (uint32_t{data[i + 2]} << 8) | data[i + 3];
    char group[5];
    for (int k = 4; k >= 0; --k) {
      group[k] = alphabet[v % 85];
      v /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

std::optional<std::vector<uint8_t>> z85_decode(std::string_view text) {
  if (text.size() % 5 != 0)
    return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t v = 0;
    for (size_t k = 0; k < 5; ++k) {
      uint8_t d = digits[static_cast<uint8_t>(text[i + k])];
      if (d == 0xFF)
        return std::nullopt;
      v = v * 85 + d;
    }
    if (v > 0xFFFFFFFFu)  // "%%%%%" and the like: more than 32 bits
      return std::nullopt;
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<uint8_t>(v >> shift));
  }
  return out;
}

} // namespace cafmq::security
