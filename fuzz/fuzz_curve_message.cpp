// CURVE MESSAGE bodies (security/curve_box.hpp, curve_codec) between a client and a server whose
// codecs come from a real handshake of the two sans-I/O machines (curve_support.hpp). The
// handshake runs once; each input gets fresh codecs with the keys and nonces it produced (checked
// to encode exactly as the handshake's own ciphers). Input: operations, each an op byte
// (bits 0-1 kind, bit 2 direction: client->server or back, bits 3-7 the flags byte to send):
//   0: a raw body (length byte + bytes) to the receiver;
//   1: a payload (length byte + bytes) encoded by the sender and delivered;
//   2: a payload encoded and held back;
//   3: a message sent before (index byte) delivered again, maybe tampered (byte: bit 0 flips bit
//      `byte` of it, bit 1 truncates it to `byte` bytes).
// Invariants: an untouched message opens to its flags and payload iff its nonce is above the last
// one the receiver accepted (replays and reordering refused, CVE-2014-7203); a tampered or
// truncated one never opens; a refusal leaves the receiver working.
#include "curve_support.hpp"

#include <memory>

using namespace cafmq;
using namespace cafmq::security;

namespace {

struct codec_keys {
  key32 client_transient, server_transient;  // C', S'
};

const codec_keys& handshake() {
  static const codec_keys k = [] {
    auto client = fuzz::make_client();
    auto server = fuzz::make_server();
    auto& t = fuzz::legit();
    std::vector<bytes> out;
    client.start(out);
    client.on_command(t.welcome.data(), t.welcome.size(), out);
    FUZZ_CHECK(client.on_command(t.ready.data(), t.ready.size(), out) == mechanism::status::ready);
    server.on_command(t.hello.data(), t.hello.size(), out);
    server.on_command(t.initiate.data(), t.initiate.size(), out);
    server.take_auth_request();
    FUZZ_CHECK(server.on_auth_reply({200, "", ""}, out) == mechanism::status::ready);
    codec_keys k{public_of(fuzz::client_transient_secret()),
                 public_of(fuzz::server_transient_secret())};
    auto cc = client.take_cipher();
    auto sc = server.take_cipher();
    // Fresh codecs as the handshake left them (client next nonce 3, last READY 1; server next
    // 2, last INITIATE 2) must say the same bytes as the handshake's ciphers.
    curve_codec fc{true, k.server_transient, fuzz::client_transient_secret(), 3, 1};
    curve_codec fs{false, k.client_transient, fuzz::server_transient_secret(), 2, 2};
    const uint8_t hello[] = {'H', 'e', 'l', 'l', 'o'};
    FUZZ_CHECK(cc->encode(0, hello, 5) == fc.encode(0, hello, 5));
    FUZZ_CHECK(sc->encode(1, hello, 5) == fs.encode(1, hello, 5));
    return k;
  }();
  return k;
}

struct sent {
  int dir;  // 0: client -> server, 1: server -> client
  bytes wire;
  uint8_t flags;
  std::string payload;
};

uint64_t nonce_of(const bytes& wire) { return read_be64(wire.data() + 8); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& k = handshake();
  std::unique_ptr<curve_codec> codec[2] = {  // [0]: the client's, [1]: the server's
    std::make_unique<curve_codec>(true, k.server_transient, fuzz::client_transient_secret(), 3, 1),
    std::make_unique<curve_codec>(false, k.client_transient, fuzz::server_transient_secret(), 2,
                                  2)};
  uint64_t last_accepted[2] = {2, 1};  // by the server (dir 0), by the client (dir 1)
  std::vector<sent> history;

  auto deliver = [&](int dir, const bytes& wire, bool untouched, const sent* original) {
    uint8_t flags = 0;
    frame payload;
    auto& receiver = *codec[1 - dir];
    bool opened = !receiver.decode(wire.data(), wire.size(), flags, payload).has_value();
    if (!untouched) {
      FUZZ_CHECK(!opened);
      return;
    }
    bool fresh = nonce_of(wire) > last_accepted[dir];
    FUZZ_CHECK(opened == fresh);
    if (opened) {
      FUZZ_CHECK(flags == original->flags && payload.view() == original->payload);
      last_accepted[dir] = nonce_of(wire);
    }
  };

  fuzz::cursor in{data, size};
  while (!in.empty() && history.size() < 256) {
    uint8_t op = in.byte();
    int kind = op & 3;
    int dir = (op >> 2) & 1;
    auto flags = static_cast<uint8_t>(op >> 3);
    if (kind == 0) {
      auto raw = in.chunk();
      bytes body(raw.begin(), raw.end());
      uint8_t f = 0;
      frame payload;
      if (!codec[1 - dir]->decode(body.data(), body.size(), f, payload)) {
        FUZZ_CHECK(body.size() == 33 + payload.size());  // forged a MAC: would be a finding
        last_accepted[dir] = nonce_of(body);
      }
    } else if (kind == 1 || kind == 2) {
      auto text = in.chunk();
      sent s{dir, codec[dir]->encode(flags, reinterpret_cast<const uint8_t*>(text.data()),
                                     text.size()),
             flags, std::string(text)};
      FUZZ_CHECK(s.wire.size() == codec[dir]->encoded_size(text.size()));
      history.push_back(std::move(s));
      if (kind == 1)
        deliver(dir, history.back().wire, true, &history.back());
    } else if (!history.empty()) {
      const sent& s = history[in.byte() % history.size()];
      uint8_t how = in.byte();
      uint8_t at = in.byte();
      bytes wire = s.wire;
      bool untouched = true;
      if ((how & 1) && !wire.empty()) {
        wire[at % wire.size()] ^= static_cast<uint8_t>(1u << (how >> 5));
        untouched = false;
      }
      if ((how & 2) && at < wire.size()) {
        wire.resize(at);
        untouched = false;
      }
      deliver(s.dir, wire, untouched, &s);
    }
  }
  return 0;
}
