// The CURVE client (security/curve_client.cpp) after a legitimate start (its HELLO sent), fixed
// keys and randomness (curve_support.hpp); the fuzzer plays the server. Input: byte 0 = mode
// (bits 0-1), a validator requiring a Socket-Type (bit 4); then ZMTP frames. Modes:
//   0: the frames are the server's commands (WELCOME, READY, ERROR, anything);
//   1: the legitimate WELCOME, then the frames (READY attempts, ERROR, anything);
//   2: the legitimate WELCOME, then a READY sealing frame 0 as its metadata (nonce 1, so it
//      opens): reaches metadata parsing and the validator; if ready, the remaining frames go
//      through the cipher;
//   3: a WELCOME sealing frame 0 with the real server key (S' and cookie fuzzed, e.g. a
//      low-order S'), then the frames.
// Invariants: mechanism_driver.hpp; once ready, the server key and its Z85 user id are known.
#include "curve_support.hpp"
#include "mechanism_driver.hpp"

using namespace cafmq;
using namespace cafmq::security;

namespace {

key32 client_transient_public() {
  static const key32 k = public_of(fuzz::client_transient_secret());
  return k;
}

// READY = name, short nonce 1, Box[metadata](S' -> C').
bytes ready_sealing(const bytes& md) {
  bytes out;
  append_bytes(out, "\x05READY", 6);
  append_be64(out, 1);
  auto sealed = box(md.data(), md.size(), short_nonce("CurveZMQREADY---", 1),
                    client_transient_public(), fuzz::server_transient_secret());
  append_bytes(out, sealed.data(), sealed.size());
  return out;
}

// WELCOME = name, long nonce A0..AF, Box[plain](S -> C').
bytes welcome_sealing(const bytes& plain) {
  uint8_t nonce[16];
  for (uint8_t i = 0; i < 16; ++i)
    nonce[i] = static_cast<uint8_t>(0xA0 + i);
  bytes out;
  append_bytes(out, "\x07WELCOME", 8);
  append_bytes(out, nonce, 16);
  auto sealed = box(plain.data(), plain.size(), long_nonce("WELCOME-", nonce),
                    client_transient_public(), fuzz::server_keys().secret_key.bytes());
  append_bytes(out, sealed.data(), sealed.size());
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const int mode = data[0] & 3;
  const bool strict = (data[0] & 0x10) != 0;
  auto fuzzed = fuzz::split_frames(data + 1, size - 1);

  std::vector<fuzz::wire_frame> frames;  // what the client hears, in order
  size_t from = 0;
  bytes first = fuzzed.empty() ? bytes{} : fuzzed[0].body;
  if (mode == 1 || mode == 2)
    frames.push_back({net::flag::command, fuzz::legit().welcome});
  if (mode == 2)
    frames.push_back({net::flag::command, ready_sealing(first)});
  if (mode == 3)
    frames.push_back({net::flag::command, welcome_sealing(first)});
  if (mode >= 2 && !fuzzed.empty())
    from = 1;
  frames.insert(frames.end(), fuzzed.begin() + static_cast<std::ptrdiff_t>(from), fuzzed.end());

  auto client = fuzz::make_client(strict ? fuzz::require_socket_type : peer_validator{});
  size_t next = 0;
  auto st = fuzz::drive(client, frames, next, nullptr, false, strict);
  if (st == fuzz::status::ready)
    FUZZ_CHECK(client.peer_public_key().size() == 32 && !client.user_id().empty());
  fuzz::decode_rest(client, frames, next);
  return 0;
}
