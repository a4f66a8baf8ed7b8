// CURVE server (RFC 26). HELLO is checked (exact size, version, the box opens under C'), then
// WELCOME sends S' and a cookie sealed with a fresh cookie key; the transient keys are dropped
// until INITIATE brings the cookie back. INITIATE must open, and its vouch must prove that the
// client's permanent key C speaks for C' to this server. Then the authenticator decides, and
// READY carries our metadata.
#include "security/curve_mechanism.hpp"
#include "security/curve_keys.hpp"

#include <sodium.h>

#include <cstring>

namespace cafmq::security {

namespace {

constexpr size_t hello_size = 200;
constexpr size_t min_initiate_size = 257;  // 9 + 96 cookie + 8 nonce + 16 MAC + 32 C + 96 vouch

} // namespace

curve_server::curve_server(const curve_keypair& ours, std::string domain, metadata md,
                           peer_validator validate, random_source random)
  : public_(ours.public_key.bytes()), secret_(ours.secret_key.bytes()), domain_(std::move(domain)),
    ours_(std::move(md)), validate_(std::move(validate)), random_(std::move(random)) {
}

curve_server::~curve_server() {
  wipe(secret_);
  wipe(cookie_key_);
  wipe(transient_secret_);
}

mechanism::status curve_server::start(std::vector<bytes>&) {
  return state_ == state::failed ? status::failed : status::handshaking;
}

mechanism::status curve_server::on_command(const uint8_t* body, size_t size,
                                           std::vector<bytes>& out) {
  if (state_ == state::failed)
    return status::failed;
  auto cmd = parse_command(body, size);
  if (!cmd)
    return fail(event_reason::protocol, "malformed command body during the CURVE handshake", false,
                false);
  if (state_ == state::expect_hello && cmd->name == "HELLO")
    return on_hello(body, size, out);
  if (state_ == state::expect_initiate && cmd->name == "INITIATE")
    return on_initiate(body, size);
  return fail(event_reason::protocol,
              "unexpected command " + peer_text(cmd->name) + " during the CURVE handshake", false,
              false);
}

mechanism::status curve_server::on_hello(const uint8_t* body, size_t size,
                                         std::vector<bytes>& out) {
  // The size first: a HELLO shorter than 8 bytes has no version field to read or report.
  if (size != hello_size)
    return fail(event_reason::protocol,
                "malformed CURVE HELLO (" + std::to_string(size) + " bytes, not 200)", false,
                false);
  if (body[6] != 1 || body[7] != 0)
    return fail(event_reason::protocol,
                "malformed CURVE HELLO (version " + std::to_string(body[6]) + "."
                  + std::to_string(body[7]) + ", not 1.0)",
                false, false);
  key32 client_transient;
  std::memcpy(client_transient.data(), body + 80, 32);
  peer_nonce_ = read_be64(body + 112);
  auto zeros = box_open(body + 120, 80, short_nonce("CurveZMQHELLO---", peer_nonce_),
                        client_transient, secret_);
  if (!zeros)
    return fail(event_reason::auth, "CURVE HELLO does not open: the client uses another server key",
                false, false);

  key32 transient_secret;
  random_(transient_secret.data(), 32);
  random_(cookie_key_.data(), 32);
  uint8_t cookie_nonce[16], welcome_nonce[16];
  random_(cookie_nonce, 16);
  random_(welcome_nonce, 16);
  key32 transient_public = public_of(transient_secret);

  uint8_t sealed_keys[64];  // the cookie: C' and s', readable only with K
  std::memcpy(sealed_keys, client_transient.data(), 32);
  std::memcpy(sealed_keys + 32, transient_secret.data(), 32);
  auto cookie_box = secretbox(sealed_keys, 64, long_nonce("COOKIE--", cookie_nonce), cookie_key_);
  sodium_memzero(sealed_keys, sizeof sealed_keys);

  bytes plain;  // S' + cookie
  append_bytes(plain, transient_public.data(), 32);
  append_bytes(plain, cookie_nonce, 16);
  append_bytes(plain, cookie_box.data(), cookie_box.size());
  auto sealed = box(plain.data(), plain.size(), long_nonce("WELCOME-", welcome_nonce),
                    client_transient, secret_);
  bytes welcome;
  append_bytes(welcome, "\x07WELCOME", 8);
  append_bytes(welcome, welcome_nonce, 16);
  append_bytes(welcome, sealed.data(), sealed.size());
  out.push_back(std::move(welcome));
  wipe(transient_secret);  // minimal state until INITIATE: only the cookie key remains
  state_ = state::expect_initiate;
  return status::handshaking;
}

mechanism::status curve_server::on_initiate(const uint8_t* body, size_t size) {
  if (size < min_initiate_size)
    return fail(event_reason::protocol,
                "malformed CURVE INITIATE (" + std::to_string(size) + " bytes)", false, false);
  const uint8_t* cookie = body + 9;
  auto keys = secretbox_open(cookie + 16, 80, long_nonce("COOKIE--", cookie), cookie_key_);
  wipe(cookie_key_);  // a cookie is good for one INITIATE
  if (!keys)
    return fail(event_reason::auth, "CURVE INITIATE carries a cookie that does not open", false,
                false);
  std::memcpy(client_transient_.data(), keys->data(), 32);
  std::memcpy(transient_secret_.data(), keys->data() + 32, 32);
  sodium_memzero(keys->data(), keys->size());

  uint64_t nonce = read_be64(body + 105);
  if (nonce <= peer_nonce_)
    return fail(event_reason::protocol, "CURVE INITIATE nonce not above HELLO's", false, false);
  peer_nonce_ = nonce;
  auto inner = box_open(body + 113, size - 113, short_nonce("CurveZMQINITIATE", nonce),
                        client_transient_, transient_secret_);
  if (!inner || inner->size() < 32 + 96)
    return fail(event_reason::auth, "CURVE INITIATE does not open", false, false);
  std::memcpy(client_public_.data(), inner->data(), 32);
  const uint8_t* vouch = inner->data() + 32;
  auto vouched = box_open(vouch + 16, 80, long_nonce("VOUCH---", vouch), client_public_,
                          transient_secret_);
  if (!vouched || std::memcmp(vouched->data(), client_transient_.data(), 32) != 0
      || std::memcmp(vouched->data() + 32, public_.data(), 32) != 0)
    return fail(event_reason::auth,
                "CURVE vouch does not match: the client key does not vouch for this connection",
                false, false);
  metadata md;
  if (auto why = parse_metadata(inner->data() + 128, inner->size() - 128, md))
    return fail(event_reason::protocol, "malformed INITIATE metadata: " + *why, true, false);
  if (validate_) {
    if (auto refused = validate_(md))
      return fail(refused->code, std::move(refused->detail), true, false);
  }
  peer_ = std::move(md);
  auth_request req;
  req.domain = domain_;
  req.mechanism = "CURVE";
  req.credentials.emplace_back(reinterpret_cast<const char*>(client_public_.data()), 32);
  pending_ = std::move(req);
  state_ = state::authenticating;
  return status::handshaking;
}

std::optional<auth_request> curve_server::take_auth_request() {
  auto req = std::move(pending_);
  pending_.reset();
  return req;
}

mechanism::status curve_server::on_auth_reply(const auth_reply& reply, std::vector<bytes>& out) {
  if (state_ != state::authenticating)
    return fail(event_reason::internal, "authentication reply without a request", false, false);
  if (reply.status_code != 200) {
    auto f = fail(event_reason::auth,
                  "CURVE client key refused (" + std::to_string(reply.status_code) + " "
                    + printable(reply.status_text, 255) + ")",
                  reply.status_code != 300, false); // 300: a temporary failure, no ERROR
    failure_.error_reason = std::to_string(reply.status_code);  // as libzmq sends it
    return f;
  }
  // The identity authorization uses: what the authenticator said, else the client's key.
  user_id_ = reply.user_id.empty() ? curve_key{client_public_}.z85() : reply.user_id;
  bytes md;
  encode_metadata(ours_, md);
  const uint64_t nonce = 1;
  auto sealed = box(md.data(), md.size(), short_nonce("CurveZMQREADY---", nonce), client_transient_,
                    transient_secret_);
  bytes ready;
  append_bytes(ready, "\x05READY", 6);
  append_be64(ready, nonce);
  append_bytes(ready, sealed.data(), sealed.size());
  out.push_back(std::move(ready));
  cipher_ = std::make_unique<curve_codec>(false, client_transient_, transient_secret_, nonce + 1,
                                          peer_nonce_);
  wipe(transient_secret_);
  state_ = state::ready;
  return status::ready;
}

mechanism::status curve_server::fail(event_reason code, std::string reason, bool send_error,
                                     bool peer_said_error) {
  failure_ = {code, std::move(reason), send_error, peer_said_error, {}};
  state_ = state::failed;
  return status::failed;
}

} // namespace cafmq::security
