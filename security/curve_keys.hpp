// CURVE key pairs (Curve25519, libsodium): generation, the public key of a secret key, and their
// Z85 text form (40 characters). Secret bytes are wiped when a key object goes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace cafmq::security {

/// A 32-byte key, wiped on destruction.
class curve_key {
public:
  static constexpr size_t size = 32;
  curve_key() = default;
  explicit curve_key(const std::array<uint8_t, size>& bytes) : bytes_(bytes) {}
  curve_key(const curve_key&) = default;
  curve_key& operator=(const curve_key&) = default;
  ~curve_key();

  /// Parses 40 Z85 characters; throws cafmq::error(invalid_argument) saying what is wrong.
  static curve_key from_z85(std::string_view text);
  /// The 40-character Z85 form.
  std::string z85() const;
  const std::array<uint8_t, size>& bytes() const noexcept { return bytes_; }

  friend bool operator==(const curve_key& a, const curve_key& b) noexcept { return a.bytes_ == b.bytes_; }

private:
  std::array<uint8_t, size> bytes_{};
};

/// A public and a secret key that belong together.
struct curve_keypair {
  curve_key public_key;
  curve_key secret_key;
};

/// A fresh random key pair.
curve_keypair generate_keypair();
/// The public key of `secret` (Curve25519 scalar multiplication with the base point).
curve_key public_key_of(const curve_key& secret);

} // namespace cafmq::security
