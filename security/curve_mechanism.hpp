// The CURVE mechanism (RFC 25, CurveZMQ RFC 26) as two sans-I/O state machines:
//   client: HELLO -> WELCOME -> INITIATE -> READY;  server: HELLO -> WELCOME -> INITIATE -> READY.
// Keys never leave these objects unwiped. After READY each side hands its frame_cipher (the
// MESSAGE codec) to the engine. Randomness is injected so tests can replay a fixed transcript.
#pragma once

#include "runtime/core/mechanism.hpp"
#include "security/curve_box.hpp"

namespace cafmq::security {

/// The client: knows the server's permanent public key, and has its own key pair.
class curve_client final : public mechanism {
public:
  curve_client(const curve_key& server_public, const curve_keypair& ours, metadata md,
               peer_validator validate, random_source random = system_random());
  ~curve_client() override;

  std::string_view name() const noexcept override { return "CURVE"; }
  bool as_server() const noexcept override { return false; }
  status start(std::vector<bytes>& out) override;
  status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) override;
  const metadata& peer_metadata() const noexcept override { return peer_; }
  const handshake_failure& failure() const noexcept override { return failure_; }
  std::unique_ptr<frame_cipher> take_cipher() override { return std::move(cipher_); }
  std::string peer_public_key() const override {
    return {reinterpret_cast<const char*>(server_public_.data()), server_public_.size()};
  }
  /// The server we authenticated: its public key in Z85.
  std::string user_id() const override;

private:
  enum class state { start, expect_welcome, expect_ready, ready, failed };
  status fail(event_reason code, std::string reason, bool send_error, bool peer_said_error);
  status on_welcome(const uint8_t* body, size_t size, std::vector<bytes>& out);
  status on_ready(const uint8_t* body, size_t size);

  key32 server_public_{};
  key32 public_{}, secret_{};                      // C, c
  key32 transient_public_{}, transient_secret_{};  // C', c'
  key32 server_transient_{};                       // S'
  metadata ours_;
  peer_validator validate_;
  random_source random_;
  metadata peer_;
  handshake_failure failure_;
  std::unique_ptr<frame_cipher> cipher_;
  uint64_t next_nonce_ = 1;
  state state_ = state::start;
};

/// The server: has its permanent key pair. Until a valid INITIATE it keeps only the cookie key
/// (the client's transient key and ours travel inside the cookie, RFC 26 §The WELCOME Command).
class curve_server final : public mechanism {
public:
  curve_server(const curve_keypair& ours, std::string domain, metadata md, peer_validator validate,
               random_source random = system_random());
  ~curve_server() override;

  std::string_view name() const noexcept override { return "CURVE"; }
  bool as_server() const noexcept override { return true; }
  status start(std::vector<bytes>& out) override;
  status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) override;
  const metadata& peer_metadata() const noexcept override { return peer_; }
  const handshake_failure& failure() const noexcept override { return failure_; }
  std::optional<auth_request> take_auth_request() override;
  status on_auth_reply(const auth_reply& reply, std::vector<bytes>& out) override;
  std::unique_ptr<frame_cipher> take_cipher() override { return std::move(cipher_); }
  std::string user_id() const override { return user_id_; }
  std::string peer_public_key() const override {
    return {reinterpret_cast<const char*>(client_public_.data()), client_public_.size()};
  }

private:
  enum class state { expect_hello, expect_initiate, authenticating, ready, failed };
  status fail(event_reason code, std::string reason, bool send_error, bool peer_said_error);
  status on_hello(const uint8_t* body, size_t size, std::vector<bytes>& out);
  status on_initiate(const uint8_t* body, size_t size);

  key32 public_{}, secret_{};  // S, s
  key32 cookie_key_{};         // K: the only secret kept between WELCOME and INITIATE
  key32 client_transient_{};   // C' and s', recovered from the cookie at INITIATE
  key32 transient_secret_{};
  key32 client_public_{};      // C
  std::string user_id_;        // what the authenticator vouched for
  std::string domain_;
  metadata ours_;
  peer_validator validate_;
  random_source random_;
  metadata peer_;
  handshake_failure failure_;
  std::optional<auth_request> pending_;
  std::unique_ptr<frame_cipher> cipher_;
  uint64_t peer_nonce_ = 0;
  state state_ = state::expect_hello;
};

} // namespace cafmq::security
