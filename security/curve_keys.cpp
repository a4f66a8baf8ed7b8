// Key handling on libsodium: crypto_box_keypair for fresh pairs, crypto_scalarmult_base for the
// public half of a secret key, sodium_memzero to wipe.
#include "security/curve_keys.hpp"

#include "runtime/core/error.hpp"
#include "security/z85.hpp"

#include <sodium.h>

#include <stdexcept>

namespace cafmq::security {

namespace {

void init_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw error{errc::internal, "libsodium failed to initialise"};
}

} // namespace

curve_key::~curve_key() {
  sodium_memzero(bytes_.data(), bytes_.size());
}

curve_key curve_key::from_z85(std::string_view text) {
  if (text.size() != 40)
    throw error{errc::invalid_argument, "a CURVE key in Z85 is 40 characters, not "
                                          + std::to_string(text.size())};
  auto raw = z85_decode(text);
  if (!raw)
    throw error{errc::invalid_argument, "not a Z85 key: a character outside the Z85 alphabet or a "
                                        "group above 2^32"};
  std::array<uint8_t, size> bytes{};
  std::copy(raw->begin(), raw->end(), bytes.begin());
  sodium_memzero(raw->data(), raw->size());
  return curve_key{bytes};
}

std::string curve_key::z85() const {
  return *z85_encode(bytes_.data(), bytes_.size());  // 32 is a multiple of 4
}

curve_keypair generate_keypair() {
  init_sodium();
  std::array<uint8_t, curve_key::size> pub{}, sec{};
  crypto_box_keypair(pub.data(), sec.data());
  curve_keypair kp{curve_key{pub}, curve_key{sec}};
  sodium_memzero(sec.data(), sec.size());
  return kp;
}

curve_key public_key_of(const curve_key& secret) {
  init_sodium();
  std::array<uint8_t, curve_key::size> pub{};
  if (crypto_scalarmult_base(pub.data(), secret.bytes().data()) != 0)
    throw error{errc::invalid_argument, "not a usable CURVE secret key"};
  return curve_key{pub};
}

} // namespace cafmq::security
