// libsodium calls behind the CurveZMQ primitives. crypto_box_easy writes the 16-byte MAC before
// the ciphertext: exactly the bytes libzmq puts on the wire (it strips crypto_box's zero padding).
#include "security/curve_box.hpp"

#include "runtime/core/error.hpp"

#include <sodium.h>

#include <cstring>

namespace cafmq::security {

namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw error{errc::internal, "libsodium failed to initialise"};
}

constexpr size_t mac = crypto_box_MACBYTES;
static_assert(crypto_box_MACBYTES == crypto_secretbox_MACBYTES);
constexpr std::string_view message_header = "\x07MESSAGE";

} // namespace

random_source system_random() {
  ensure_sodium();
  return [](uint8_t* out, size_t size) { randombytes_buf(out, size); };
}

void append_bytes(bytes& out, const void* data, size_t size) {
  auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + size);
}

void append_be64(bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(v >> (56 - 8 * i)));
}

uint64_t read_be64(const uint8_t* p) noexcept {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

nonce24 short_nonce(std::string_view prefix16, uint64_t counter) {
  nonce24 n{};
  std::memcpy(n.data(), prefix16.data(), 16);
  for (int i = 0; i < 8; ++i)
    n[16 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
  return n;
}

nonce24 long_nonce(std::string_view prefix8, const uint8_t* bytes16) {
  nonce24 n{};
  std::memcpy(n.data(), prefix8.data(), 8);
  std::memcpy(n.data() + 8, bytes16, 16);
  return n;
}

bytes box(const uint8_t* plain, size_t size, const nonce24& n, const key32& receiver_public,
          const key32& sender_secret) {
  ensure_sodium();
  bytes out(size + mac);
  if (crypto_box_easy(out.data(), plain, size, n.data(), receiver_public.data(),
                      sender_secret.data())
      != 0)
    throw error{errc::internal, "crypto_box failed"};
  return out;
}

std::optional<bytes> box_open(const uint8_t* boxed, size_t size, const nonce24& n,
                              const key32& sender_public, const key32& receiver_secret) {
  ensure_sodium();
  if (size < mac)
    return std::nullopt;
  bytes out(size - mac);
  if (crypto_box_open_easy(out.data(), boxed, size, n.data(), sender_public.data(),
                           receiver_secret.data())
      != 0)
    return std::nullopt;
  return out;
}

bytes secretbox(const uint8_t* plain, size_t size, const nonce24& n, const key32& key) {
  ensure_sodium();
  bytes out(size + mac);
  crypto_secretbox_easy(out.data(), plain, size, n.data(), key.data());
  return out;
}

std::optional<bytes> secretbox_open(const uint8_t* boxed, size_t size, const nonce24& n,
                                    const key32& key) {
  ensure_sodium();
  if (size < mac)
    return std::nullopt;
  bytes out(size - mac);
  if (crypto_secretbox_open_easy(out.data(), boxed, size, n.data(), key.data()) != 0)
    return std::nullopt;
  return out;
}

bool shares_key(const key32& peer_public, const key32& our_secret) {
  ensure_sodium();
  uint8_t shared[crypto_box_BEFORENMBYTES];
  bool ok = crypto_box_beforenm(shared, peer_public.data(), our_secret.data()) == 0;
  sodium_memzero(shared, sizeof shared);
  return ok;
}

key32 public_of(const key32& secret) {
  ensure_sodium();
  key32 pub{};
  if (crypto_scalarmult_base(pub.data(), secret.data()) != 0)
    throw error{errc::invalid_argument, "not a usable Curve25519 secret key"};
  return pub;
}

void wipe(key32& k) {
  sodium_memzero(k.data(), k.size());
}

// -- MESSAGE --

curve_codec::curve_codec(bool client, const key32& peer_transient_public,
                         const key32& our_transient_secret, uint64_t our_next_nonce,
                         uint64_t peer_last_nonce)
  : client_(client), next_nonce_(our_next_nonce), peer_last_(peer_last_nonce) {
  ensure_sodium();
  if (crypto_box_beforenm(shared_.data(), peer_transient_public.data(),
                          our_transient_secret.data())
      != 0)
    throw error{errc::internal, "crypto_box_beforenm failed"};
}

curve_codec::~curve_codec() {
  sodium_memzero(shared_.data(), shared_.size());
}

void curve_codec::encode_into(uint8_t* out, uint8_t flags, const uint8_t* data, size_t size) {
  auto n = short_nonce(client_ ? "CurveZMQMESSAGEC" : "CurveZMQMESSAGES", next_nonce_);
  std::memcpy(out, message_header.data(), message_header.size());
  std::memcpy(out + message_header.size(), n.data() + 16, 8);
  // The plain text goes where its cipher text will be; libsodium encrypts in place.
  uint8_t* boxed = out + message_header.size() + 8;
  boxed[mac] = flags;
  if (size > 0)
    std::memmove(boxed + mac + 1, data, size);
  crypto_box_easy_afternm(boxed, boxed + mac, size + 1, n.data(), shared_.data());
  ++next_nonce_;
}

std::optional<std::string> curve_codec::decode(const uint8_t* body, size_t size, uint8_t& flags,
                                               frame& payload) {
  constexpr size_t head = 8 + 8;  // "\x07MESSAGE" + short nonce
  if (size < head + mac + 1 || std::memcmp(body, message_header.data(), 8) != 0)
    return std::string("malformed MESSAGE command");
  uint64_t nonce = read_be64(body + 8);
  if (nonce <= peer_last_)  // RFC 26: a repeated or older nonce is a replay (CVE-2014-7203)
    return "MESSAGE nonce " + std::to_string(nonce) + " not above the last one ("
           + std::to_string(peer_last_) + "): replayed or reordered";
  auto n = short_nonce(client_ ? "CurveZMQMESSAGES" : "CurveZMQMESSAGEC", nonce);
  scratch_.resize(size - head - mac);
  if (crypto_box_open_easy_afternm(scratch_.data(), body + head, size - head, n.data(),
                                   shared_.data())
      != 0)
    return std::string("MESSAGE does not authenticate");
  peer_last_ = nonce;
  flags = scratch_[0];
  payload = frame::uninitialized(scratch_.size() - 1);
  if (scratch_.size() > 1)
    std::memcpy(payload.mutable_data(), scratch_.data() + 1, scratch_.size() - 1);
  return std::nullopt;
}

} // namespace cafmq::security
