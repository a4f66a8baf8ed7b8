#include "binary_text.hpp"

#include <sodium.h>

namespace cafmq::cli {

namespace {

const unsigned char* bytes_of(std::string_view bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

} // namespace

void append_hex(std::string& out, std::string_view bytes) {
  size_t start = out.size();
  size_t room = bytes.size() * 2 + 1;  // libsodium writes a terminating NUL
  out.resize(start + room);
  sodium_bin2hex(out.data() + start, room, bytes_of(bytes), bytes.size());
  out.resize(start + room - 1);
}

void append_base64(std::string& out, std::string_view bytes) {
  constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
  size_t start = out.size();
  size_t room = sodium_base64_ENCODED_LEN(bytes.size(), variant);  // with the NUL
  out.resize(start + room);
  sodium_bin2base64(out.data() + start, room, bytes_of(bytes), bytes.size(), variant);
  out.resize(start + room - 1);
}

} // namespace cafmq::cli
