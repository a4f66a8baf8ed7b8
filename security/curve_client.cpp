// CURVE client (RFC 26): HELLO with a fresh transient key, WELCOME opened with it, INITIATE with
// the vouch (our permanent key vouching for the transient one), READY opened with S'.
#include "security/curve_mechanism.hpp"
#include "security/curve_keys.hpp"

#include <cstring>

namespace cafmq::security {

namespace {

constexpr size_t hello_size = 200;
constexpr size_t welcome_size = 168;
constexpr size_t min_ready_size = 30;

} // namespace

curve_client::curve_client(const curve_key& server_public, const curve_keypair& ours, metadata md,
                           peer_validator validate, random_source random)
  : server_public_(server_public.bytes()), public_(ours.public_key.bytes()),
    secret_(ours.secret_key.bytes()), ours_(std::move(md)), validate_(std::move(validate)),
    random_(std::move(random)) {
}

curve_client::~curve_client() {
  wipe(secret_);
  wipe(transient_secret_);
}

mechanism::status curve_client::start(std::vector<bytes>& out) {
  if (state_ != state::start)
    return state_ == state::failed ? status::failed : status::handshaking;
  random_(transient_secret_.data(), transient_secret_.size());
  transient_public_ = public_of(transient_secret_);
  // A low-order server key (all zeros, say) leaves no shared key: HELLO's box would fail.
  if (!shares_key(server_public_, transient_secret_))
    return fail(event_reason::protocol,
                "the CURVE server key is not a usable Curve25519 public key", false, false);
  // HELLO: version 1.0, 72 zero bytes (no amplification), C', nonce, Box[64 zeros](C'->S).
  bytes hello;
  hello.reserve(hello_size);
  append_bytes(hello, "\x05HELLO\x01\x00", 8);
  hello.resize(hello.size() + 72, 0);
  append_bytes(hello, transient_public_.data(), 32);
  uint64_t nonce = next_nonce_++;
  append_be64(hello, nonce);
  uint8_t zeros[64] = {};
  auto sig = box(zeros, sizeof zeros, short_nonce("CurveZMQHELLO---", nonce), server_public_,
                 transient_secret_);
  append_bytes(hello, sig.data(), sig.size());
  out.push_back(std::move(hello));
  state_ = state::expect_welcome;
  return status::handshaking;
}

mechanism::status curve_client::on_command(const uint8_t* body, size_t size,
                                           std::vector<bytes>& out) {
  if (state_ == state::failed)
    return status::failed;
  auto cmd = parse_command(body, size);
  if (!cmd)
    return fail(event_reason::protocol, "malformed command body during the CURVE handshake", false,
                false);
  if (cmd->name == "ERROR" && (state_ == state::expect_welcome || state_ == state::expect_ready)) {
    auto reason = parse_error_reason(cmd->data, cmd->size);
    return fail(reason ? error_command_code(*reason) : event_reason::peer_error,
                error_command_detail(reason), false, true);
  }
  if (state_ == state::expect_welcome && cmd->name == "WELCOME")
    return on_welcome(body, size, out);
  if (state_ == state::expect_ready && cmd->name == "READY")
    return on_ready(body, size);
  // RFC 26: the client never sends ERROR; it just closes.
  return fail(event_reason::protocol,
              "unexpected command " + peer_text(cmd->name) + " during the CURVE handshake", false,
              false);
}

mechanism::status curve_client::on_welcome(const uint8_t* body, size_t size,
                                           std::vector<bytes>& out) {
  if (size != welcome_size)
    return fail(event_reason::protocol,
                "malformed CURVE WELCOME (" + std::to_string(size) + " bytes, not 168)", false,
                false);
  auto plain = box_open(body + 24, size - 24, long_nonce("WELCOME-", body + 8), server_public_,
                        transient_secret_);
  if (!plain || plain->size() != 32 + 96)
    return fail(event_reason::auth, "CURVE WELCOME does not open: wrong server key?", false, false);
  std::memcpy(server_transient_.data(), plain->data(), 32);
  // A low-order S' leaves no shared key: the vouch and INITIATE boxes to it would fail.
  if (!shares_key(server_transient_, transient_secret_))
    return fail(event_reason::protocol, "CURVE WELCOME carries an unusable server transient key",
                false, false);
  const uint8_t* cookie = plain->data() + 32;

  // The vouch: Box[C' + S](C -> S'), under a fresh long nonce.
  uint8_t vouch_nonce[16];
  random_(vouch_nonce, sizeof vouch_nonce);
  uint8_t vouched[64];
  std::memcpy(vouched, transient_public_.data(), 32);
  std::memcpy(vouched + 32, server_public_.data(), 32);
  auto vouch_box = box(vouched, sizeof vouched, long_nonce("VOUCH---", vouch_nonce),
                       server_transient_, secret_);

  bytes inner;  // C + vouch + metadata
  append_bytes(inner, public_.data(), 32);
  append_bytes(inner, vouch_nonce, 16);
  append_bytes(inner, vouch_box.data(), vouch_box.size());
  encode_metadata(ours_, inner);

  bytes initiate;
  append_bytes(initiate, "\x08INITIATE", 9);
  append_bytes(initiate, cookie, 96);
  uint64_t nonce = next_nonce_++;
  append_be64(initiate, nonce);
  auto sealed = box(inner.data(), inner.size(), short_nonce("CurveZMQINITIATE", nonce),
                    server_transient_, transient_secret_);
  append_bytes(initiate, sealed.data(), sealed.size());
  out.push_back(std::move(initiate));
  state_ = state::expect_ready;
  return status::handshaking;
}

mechanism::status curve_client::on_ready(const uint8_t* body, size_t size) {
  if (size < min_ready_size)
    return fail(event_reason::protocol, "malformed CURVE READY", false, false);
  uint64_t nonce = read_be64(body + 6);
  auto plain = box_open(body + 14, size - 14, short_nonce("CurveZMQREADY---", nonce),
                        server_transient_, transient_secret_);
  if (!plain)
    return fail(event_reason::auth, "CURVE READY does not open", false, false);
  metadata md;
  if (auto why = parse_metadata(plain->data(), plain->size(), md))
    return fail(event_reason::protocol, "malformed READY metadata: " + *why, false, false);
  if (validate_) {
    if (auto refused = validate_(md))
      return fail(refused->code, std::move(refused->detail), false, false);
  }
  peer_ = std::move(md);
  cipher_ = std::make_unique<curve_codec>(true, server_transient_, transient_secret_, next_nonce_,
                                          nonce);
  wipe(transient_secret_);
  state_ = state::ready;
  return status::ready;
}

std::string curve_client::user_id() const {
  return curve_key{server_public_}.z85();
}

mechanism::status curve_client::fail(event_reason code, std::string reason, bool send_error,
                                     bool peer_said_error) {
  failure_ = {code, std::move(reason), send_error, peer_said_error, {}};
  state_ = state::failed;
  return status::failed;
}

} // namespace cafmq::security
