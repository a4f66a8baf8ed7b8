// Raw CURVE peers: cafmq's sans-I/O mechanisms make the bytes, POSIX sockets carry them.
#include "support/raw_curve.hpp"

#include "support/deadline.hpp"
#include "support/zmtp_wire.hpp"

#include "security/curve_keys.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

namespace cafmq::test {

namespace {

using security::curve_key;
using security::curve_keypair;

metadata socket_type(const char* type) {
  metadata md;
  md.add("Socket-Type", type);
  return md;
}

bytes framed(uint8_t flags, const bytes& body) {
  auto out = zmtp::frame_header(flags, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Reads the peer's 64-byte greeting and checks it announces CURVE.
void expect_curve_greeting(raw_client& c, std::chrono::milliseconds timeout) {
  auto g = c.read_exact(64, timeout);
  if (g.status != read_status::ok)
    throw std::runtime_error("no 64-byte greeting from the peer");
  if (std::memcmp(g.data.data() + 12, "CURVE", 6) != 0)
    throw std::runtime_error("the peer's greeting does not announce CURVE");
}

key32 key_of(const char* z85) {
  return curve_key::from_z85(z85).bytes();
}

} // namespace

bytes command_frame(const bytes& body) {
  return framed(0x04, body);
}

bytes data_frame(const bytes& body) {
  return framed(0x00, body);
}

std::optional<bytes> read_command(raw_client& c, std::chrono::milliseconds timeout) {
  auto f = zmtp::read_frame(c, timeout);
  if (!f || !f->is_command())
    return std::nullopt;
  return std::move(f->body);
}

std::string local_endpoint_of(const raw_client& c) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(c.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("getsockname failed");
  return "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

// -- client --

raw_curve_client::raw_curve_client(raw_client wire, const char* server_key,
                                   const metadata* properties)
  : wire_(std::move(wire)), server_public_(key_of(server_key)) {
  security::system_random()(transient_secret_.data(), transient_secret_.size());
  transient_public_ = security::public_of(transient_secret_);
  // The mechanism's first request for randomness is its transient secret: hand it ours.
  auto fixed = std::make_shared<std::optional<key32>>(transient_secret_);
  security::random_source random = [fixed](uint8_t* out, size_t size) {
    if (*fixed && size == 32) {
      std::memcpy(out, (*fixed)->data(), 32);
      fixed->reset();
      return;
    }
    security::system_random()(out, size);
  };
  curve_keypair ours{curve_key::from_z85(client_public), curve_key::from_z85(client_secret)};
  mech_ = std::make_unique<security::curve_client>(curve_key{server_public_}, ours,
                                                   properties ? *properties : socket_type("PUSH"),
                                                   nullptr, random);
  std::vector<bytes> out;
  mech_->start(out);
  if (out.size() != 1)
    throw std::runtime_error("curve_client::start made no HELLO");
  hello_ = std::move(out[0]);
}

raw_curve_client raw_curve_client::connect(const std::string& endpoint,
                                           std::chrono::milliseconds timeout,
                                           const char* server_key) {
  deadline d{timeout};
  auto c = raw_client::connect(endpoint, d.remaining());
  if (!c.send_all(zmtp::greeting("CURVE")))
    throw std::runtime_error("sending the CURVE greeting failed");
  expect_curve_greeting(c, d.remaining());
  return raw_curve_client{std::move(c), server_key};
}

raw_curve_client raw_curve_client::connect_with(const std::string& endpoint,
                                                std::chrono::milliseconds timeout,
                                                const metadata& properties) {
  deadline d{timeout};
  auto c = raw_client::connect(endpoint, d.remaining());
  if (!c.send_all(zmtp::greeting("CURVE")))
    throw std::runtime_error("sending the CURVE greeting failed");
  expect_curve_greeting(c, d.remaining());
  return raw_curve_client{std::move(c), server_public, &properties};
}

bytes raw_curve_client::initiate_for(const bytes& welcome) {
  std::vector<bytes> out;
  if (mech_->on_command(welcome.data(), welcome.size(), out) != mechanism::status::handshaking
      || out.size() != 1)
    throw std::runtime_error("curve_client refused the WELCOME: " + mech_->failure().reason);
  return std::move(out[0]);
}

std::optional<welcome_contents> raw_curve_client::open_welcome(const bytes& welcome) const {
  if (welcome.size() != 168)
    return std::nullopt;
  auto plain = security::box_open(welcome.data() + 24, welcome.size() - 24,
                                  security::long_nonce("WELCOME-", welcome.data() + 8),
                                  server_public_, transient_secret_);
  if (!plain || plain->size() != 128)
    return std::nullopt;
  welcome_contents w;
  std::memcpy(w.server_transient.data(), plain->data(), 32);
  w.cookie.assign(plain->begin() + 32, plain->end());
  return w;
}

bytes raw_curve_client::forge_initiate(const welcome_contents& w, const key32& claimed,
                                       const key32& vouched, const key32& signer, uint64_t nonce,
                                       const bytes* metadata) const {
  uint8_t vouch_nonce[16];
  security::system_random()(vouch_nonce, sizeof vouch_nonce);
  bytes vouch_plain;
  security::append_bytes(vouch_plain, vouched.data(), 32);
  security::append_bytes(vouch_plain, server_public_.data(), 32);
  auto vouch = security::box(vouch_plain.data(), vouch_plain.size(),
                             security::long_nonce("VOUCH---", vouch_nonce), w.server_transient,
                             signer);
  bytes inner;  // C + vouch + metadata
  security::append_bytes(inner, claimed.data(), 32);
  security::append_bytes(inner, vouch_nonce, 16);
  security::append_bytes(inner, vouch.data(), vouch.size());
  if (metadata)
    security::append_bytes(inner, metadata->data(), metadata->size());
  else
    encode_metadata(socket_type("PUSH"), inner);
  bytes initiate;
  security::append_bytes(initiate, "\x08INITIATE", 9);
  security::append_bytes(initiate, w.cookie.data(), w.cookie.size());
  security::append_be64(initiate, nonce);
  auto sealed = security::box(inner.data(), inner.size(),
                              security::short_nonce("CurveZMQINITIATE", nonce), w.server_transient,
                              transient_secret_);
  security::append_bytes(initiate, sealed.data(), sealed.size());
  return initiate;
}

bytes raw_curve_client::honest_initiate(const welcome_contents& w, uint64_t nonce,
                                        const bytes* metadata) const {
  return forge_initiate(w, key_of(client_public), transient_public_, key_of(client_secret), nonce,
                        metadata);
}

void raw_curve_client::handshake(std::chrono::milliseconds timeout) {
  deadline d{timeout};
  if (!send_command(hello_))
    throw std::runtime_error("handshake: sending HELLO failed");
  auto welcome = read_command(d.remaining());
  if (!welcome)
    throw std::runtime_error("handshake: no WELCOME");
  if (!send_command(initiate_for(*welcome)))
    throw std::runtime_error("handshake: sending INITIATE failed");
  auto ready = read_command(d.remaining());
  if (!ready)
    throw std::runtime_error("handshake: no READY");
  std::vector<bytes> out;
  if (mech_->on_command(ready->data(), ready->size(), out) != mechanism::status::ready)
    throw std::runtime_error("handshake: READY refused: " + mech_->failure().reason);
  cipher_ = mech_->take_cipher();
}

bytes raw_curve_client::message(const std::string& text, bool more) {
  if (!cipher_)
    throw std::runtime_error("message() before the handshake");
  return cipher_->encode(more ? 0x01 : 0x00, reinterpret_cast<const uint8_t*>(text.data()),
                         text.size());
}

// -- server --

raw_curve_server::raw_curve_server(raw_client wire) : wire_(std::move(wire)) {
  curve_keypair ours{curve_key::from_z85(server_public), curve_key::from_z85(server_secret)};
  mech_ = std::make_unique<security::curve_server>(ours, "", socket_type("PUSH"), nullptr);
}

raw_curve_server raw_curve_server::accept(raw_listener& listener,
                                          std::chrono::milliseconds timeout) {
  deadline d{timeout};
  auto c = listener.accept(d.remaining());
  if (!c.send_all(zmtp::greeting("CURVE", 3, 1, 1)))
    throw std::runtime_error("sending the CURVE server greeting failed");
  expect_curve_greeting(c, d.remaining());
  return raw_curve_server{std::move(c)};
}

bytes raw_curve_server::welcome_for(const bytes& hello) {
  std::vector<bytes> out;
  if (mech_->on_command(hello.data(), hello.size(), out) != mechanism::status::handshaking
      || out.size() != 1)
    throw std::runtime_error("curve_server refused the HELLO: " + mech_->failure().reason);
  return std::move(out[0]);
}

bytes raw_curve_server::forge_welcome(const bytes& hello, const key32& server_transient) const {
  if (hello.size() != 200)
    throw std::runtime_error("forge_welcome: not a 200-byte HELLO");
  key32 client_transient;  // C', at offset 80 of HELLO
  std::memcpy(client_transient.data(), hello.data() + 80, 32);
  bytes plain;  // S' + cookie
  security::append_bytes(plain, server_transient.data(), 32);
  plain.resize(32 + 96);
  security::system_random()(plain.data() + 32, 96);
  uint8_t nonce[16];
  security::system_random()(nonce, sizeof nonce);
  auto sealed = security::box(plain.data(), plain.size(), security::long_nonce("WELCOME-", nonce),
                              client_transient, key_of(server_secret));
  bytes welcome;
  security::append_bytes(welcome, "\x07WELCOME", 8);
  security::append_bytes(welcome, nonce, 16);
  security::append_bytes(welcome, sealed.data(), sealed.size());
  return welcome;
}

bytes raw_curve_server::ready_for(const bytes& initiate) {
  std::vector<bytes> out;
  if (mech_->on_command(initiate.data(), initiate.size(), out) != mechanism::status::handshaking
      || !mech_->take_auth_request())
    throw std::runtime_error("curve_server refused the INITIATE: " + mech_->failure().reason);
  if (mech_->on_auth_reply({200, "OK", {}}, out) != mechanism::status::ready || out.size() != 1)
    throw std::runtime_error("curve_server did not become ready: " + mech_->failure().reason);
  cipher_ = mech_->take_cipher();
  return std::move(out[0]);
}

bytes raw_curve_server::message(const std::string& text) {
  if (!cipher_)
    throw std::runtime_error("message() before ready_for()");
  return cipher_->encode(0x00, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

} // namespace cafmq::test
