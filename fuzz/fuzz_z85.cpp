// Z85 (security/z85, RFC 32) and CURVE keys in Z85 (security/curve_keys). Input: text to decode,
// and the same bytes (cut to a multiple of 4) to encode. Invariants: what decodes encodes back
// to the same text, 4 bytes per 5 characters; what is refused has a length not a multiple of 5,
// a character outside the alphabet, or a group above 2^32-1; every byte string round-trips
// through encode and decode; a 40-character key parses iff it decodes, and prints back as given.
#include "fuzz_support.hpp"

#include "runtime/core/error.hpp"
#include "security/curve_keys.hpp"
#include "security/z85.hpp"

#include <algorithm>

using namespace cafmq;
using namespace cafmq::security;

namespace {

bool group_too_big(std::string_view g) {
  static const std::string_view alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  uint64_t v = 0;
  for (char c : g)
    v = v * 85 + alphabet.find(c);
  return v > 0xFFFFFFFFu;
}

bool valid_text(std::string_view text) {
  static const std::string_view alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (text.size() % 5 != 0 || text.find_first_not_of(alphabet) != std::string_view::npos)
    return false;
  for (size_t i = 0; i < text.size(); i += 5)
    if (group_too_big(text.substr(i, 5)))
      return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto decoded = z85_decode(text);
  FUZZ_CHECK(decoded.has_value() == valid_text(text));
  if (decoded) {
    FUZZ_CHECK(decoded->size() == size / 5 * 4);
    auto again = z85_encode(decoded->data(), decoded->size());
    FUZZ_CHECK(again && *again == text);
  }

  size_t n = size / 4 * 4;
  auto encoded = z85_encode(data, n);
  FUZZ_CHECK(encoded && encoded->size() == n / 4 * 5);
  auto back = z85_decode(*encoded);
  FUZZ_CHECK(back && back->size() == n && std::equal(back->begin(), back->end(), data));
  if (size % 4 != 0)
    FUZZ_CHECK(!z85_encode(data, size).has_value());

  if (size >= 40) {
    auto key_text = text.substr(0, 40);
    bool decodes = z85_decode(key_text).has_value();
    try {
      auto key = curve_key::from_z85(key_text);
      FUZZ_CHECK(decodes && key.z85() == key_text);
    } catch (const error& e) {
      FUZZ_CHECK(!decodes && e.code() == errc::invalid_argument);
    }
  }
  return 0;
}
