// The CurveZMQ primitives (RFC 26) on libsodium: Box (crypto_box, MAC first, as libzmq sends it),
// SecretBox for cookies, the nonce layouts, and the per-connection MESSAGE codec with its
// strictly increasing short nonces. Pure: bytes in, bytes out.
#pragma once

#include "runtime/core/mechanism.hpp"
#include "security/curve_keys.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace cafmq::security {

using key32 = std::array<uint8_t, 32>;
using nonce24 = std::array<uint8_t, 24>;

/// Where random bytes come from: libsodium's by default; tests inject fixed bytes.
using random_source = std::function<void(uint8_t* out, size_t size)>;
/// libsodium's randombytes_buf.
random_source system_random();

/// A 16-byte prefix and an 8-byte big-endian counter ("CurveZMQHELLO---" + short nonce).
nonce24 short_nonce(std::string_view prefix16, uint64_t counter);
/// An 8-byte prefix and 16 bytes ("WELCOME-" + long nonce).
nonce24 long_nonce(std::string_view prefix8, const uint8_t* bytes16);

/// Box[plain](sender secret -> receiver public): 16-byte MAC then ciphertext.
bytes box(const uint8_t* plain, size_t size, const nonce24& n, const key32& receiver_public,
          const key32& sender_secret);
/// Opens a Box; nullopt if it does not authenticate.
std::optional<bytes> box_open(const uint8_t* boxed, size_t size, const nonce24& n,
                              const key32& sender_public, const key32& receiver_secret);
/// SecretBox[plain](key).
bytes secretbox(const uint8_t* plain, size_t size, const nonce24& n, const key32& key);
/// Opens a SecretBox; nullopt if it does not authenticate.
std::optional<bytes> secretbox_open(const uint8_t* boxed, size_t size, const nonce24& n,
                                    const key32& key);
/// True if `peer_public` and `our_secret` give a shared key: false for a point of small order
/// (all zeros, say), to which every Box fails. Lets a mechanism refuse such a key as a handshake
/// failure instead of box() throwing.
bool shares_key(const key32& peer_public, const key32& our_secret);
/// The public key of a secret key (scalar multiplication with the base point).
key32 public_of(const key32& secret);
/// Appends `size` bytes to `out`.
void append_bytes(bytes& out, const void* data, size_t size);
/// Appends `v` as 8 big-endian bytes (a CurveZMQ short nonce on the wire).
void append_be64(bytes& out, uint64_t v);
/// Reads 8 big-endian bytes.
uint64_t read_be64(const uint8_t* p) noexcept;
/// Overwrites `k` with zeros.
void wipe(key32& k);

/// Encrypts and decrypts MESSAGE commands once the handshake is done (RFC 26 §The MESSAGE
/// Command): a precomputed shared key, our next short nonce, and the last one the peer used.
class curve_codec final : public frame_cipher {
public:
  /// `client` picks the nonce prefixes ("...MESSAGEC" for what the client sends).
  curve_codec(bool client, const key32& peer_transient_public, const key32& our_transient_secret,
              uint64_t our_next_nonce, uint64_t peer_last_nonce);
  ~curve_codec() override;
  curve_codec(const curve_codec&) = delete;
  curve_codec& operator=(const curve_codec&) = delete;

  /// A MESSAGE body: 16 bytes of name and nonce, 16 of MAC, the flags byte, the frame.
  size_t encoded_size(size_t size) const noexcept override { return 33 + size; }
  /// The MESSAGE command body carrying one frame: flags (0x01 MORE, 0x02 COMMAND) and bytes.
  void encode_into(uint8_t* out, uint8_t flags, const uint8_t* data, size_t size) override;
  /// Opens a MESSAGE body into `flags` and `payload`; an error text if it is malformed, does not
  /// authenticate, or repeats or goes back on the peer's nonce (replay).
  std::optional<std::string> decode(const uint8_t* body, size_t size, uint8_t& flags,
                                    frame& payload) override;

private:
  std::array<uint8_t, 32> shared_{};  // crypto_box_beforenm
  bool client_;
  uint64_t next_nonce_;
  uint64_t peer_last_;
  bytes scratch_;  // decrypted flags and frame, reused
};

} // namespace cafmq::security
