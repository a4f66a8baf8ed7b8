// Z85 (RFC 32): the printable encoding of CURVE keys, 4 bytes to 5 characters. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::security {

/// Encodes `data` (its size a multiple of 4); nullopt otherwise.
std::optional<std::string> z85_encode(const uint8_t* data, size_t size);
/// Decodes `text`; nullopt if its length is not a multiple of 5, a character is outside the Z85
/// alphabet, or a 5-character group is worth 2^32 or more.
std::optional<std::vector<uint8_t>> z85_decode(std::string_view text);

} // namespace cafmq::security
