// The CURVE server (security/curve_server.cpp), fixed keys and randomness (curve_support.hpp).
// Input: byte 0 = mode (bits 0-1), the authenticator's answer (bits 2-3: 200, 300, 400, 500), a
// validator requiring a Socket-Type (bit 4), the answer after the next command (bit 5); then ZMTP
// frames. Modes:
//   0: the frames are the client's commands from the start (HELLO, INITIATE, anything);
//   1: the legitimate HELLO, then the frames (INITIATE attempts without a cookie that opens);
//   2: the legitimate HELLO, then an INITIATE with the real cookie whose box seals frame 0 as its
//      whole plain text (C, vouch and metadata fuzzed, but authenticated), then the frames;
//   3: as 2 with the real C and vouch, frame 0 as the metadata: reaches metadata parsing, the
//      validator and the authenticator; if ready, the remaining frames go through the cipher.
// Invariants: mechanism_driver.hpp; the authenticator hears CURVE with one 32-byte key, the
// client's real key whenever the vouch was real.
#include "curve_support.hpp"
#include "mechanism_driver.hpp"

using namespace cafmq;
using namespace cafmq::security;

namespace {

// The client's view after WELCOME: S' and the cookie, opened with c'.
struct welcome_view {
  key32 server_transient{};
  bytes cookie;  // 96 bytes
};

const welcome_view& opened_welcome() {
  static const welcome_view v = [] {
    auto& w = fuzz::legit().welcome;
    auto plain = box_open(w.data() + 24, w.size() - 24, long_nonce("WELCOME-", w.data() + 8),
                          fuzz::server_keys().public_key.bytes(), fuzz::client_transient_secret());
    FUZZ_CHECK(plain && plain->size() == 128);
    welcome_view v;
    std::memcpy(v.server_transient.data(), plain->data(), 32);
    v.cookie.assign(plain->begin() + 32, plain->end());
    return v;
  }();
  return v;
}

// INITIATE = name, cookie, short nonce 2, Box[inner](C' -> S').
bytes initiate_sealing(const bytes& inner) {
  auto& w = opened_welcome();
  bytes out;
  append_bytes(out, "\x08INITIATE", 9);
  append_bytes(out, w.cookie.data(), w.cookie.size());
  append_be64(out, 2);
  auto sealed = box(inner.data(), inner.size(), short_nonce("CurveZMQINITIATE", 2),
                    w.server_transient, fuzz::client_transient_secret());
  append_bytes(out, sealed.data(), sealed.size());
  return out;
}

// C + vouch (Box[C' + S](C -> S') under the vouch nonce C0..CF), the same on every run.
const bytes& real_key_and_vouch() {
  static const bytes kv = [] {
    auto client = fuzz::client_keys();
    uint8_t vouch_nonce[16];
    for (uint8_t i = 0; i < 16; ++i)
      vouch_nonce[i] = static_cast<uint8_t>(0xC0 + i);
    uint8_t vouched[64];
    auto client_transient = public_of(fuzz::client_transient_secret());
    std::memcpy(vouched, client_transient.data(), 32);
    std::memcpy(vouched + 32, fuzz::server_keys().public_key.bytes().data(), 32);
    auto sealed = box(vouched, 64, long_nonce("VOUCH---", vouch_nonce),
                      opened_welcome().server_transient, client.secret_key.bytes());
    bytes kv;
    append_bytes(kv, client.public_key.bytes().data(), 32);
    append_bytes(kv, vouch_nonce, 16);
    append_bytes(kv, sealed.data(), sealed.size());
    return kv;
  }();
  return kv;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const int mode = data[0] & 3;
  static const int codes[] = {200, 300, 400, 500};
  const int code = codes[(data[0] >> 2) & 3];
  const bool strict = (data[0] & 0x10) != 0;
  const bool defer = (data[0] & 0x20) != 0;
  auto fuzzed = fuzz::split_frames(data + 1, size - 1);

  std::vector<fuzz::wire_frame> frames;  // what the server hears, in order
  size_t from = 0;                       // the first fuzzed frame not used up front
  if (mode >= 1)
    frames.push_back({net::flag::command, fuzz::legit().hello});
  if (mode >= 2) {
    bytes inner = mode == 3 ? real_key_and_vouch() : bytes{};
    if (!fuzzed.empty())
      inner.insert(inner.end(), fuzzed[0].body.begin(), fuzzed[0].body.end());
    frames.push_back({net::flag::command, initiate_sealing(inner)});
    from = fuzzed.empty() ? 0 : 1;
  }
  frames.insert(frames.end(), fuzzed.begin() + static_cast<std::ptrdiff_t>(from), fuzzed.end());

  auto server = fuzz::make_server(strict ? fuzz::require_socket_type : peer_validator{});
  auto policy = [&](const auth_request& req) {
    FUZZ_CHECK(req.mechanism == "CURVE" && req.domain == "global");
    FUZZ_CHECK(req.credentials.size() == 1 && req.credentials[0].size() == 32);
    if (mode == 3)
      FUZZ_CHECK(std::memcmp(req.credentials[0].data(),
                             fuzz::client_keys().public_key.bytes().data(), 32) == 0);
    return auth_reply{code, "fuzz", ""};
  };
  size_t next = 0;
  auto st = fuzz::drive(server, frames, next, policy, defer, strict);
  if (st == fuzz::status::ready) {
    FUZZ_CHECK(code == 200);
    FUZZ_CHECK(server.peer_public_key().size() == 32);
  }
  fuzz::decode_rest(server, frames, next);
  return 0;
}
