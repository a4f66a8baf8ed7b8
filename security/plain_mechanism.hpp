// The PLAIN mechanism (RFC 24): the client sends a user name and password in clear text, the
// server asks its authenticator (ZAP) and answers WELCOME or ERROR; then INITIATE and READY carry
// the metadata. No encryption: the password crosses the network readable. Sans-I/O.
#pragma once

#include "runtime/core/mechanism.hpp"

namespace cafmq::security {

/// The client side: HELLO(user, password) -> WELCOME -> INITIATE(metadata) -> READY(metadata).
class plain_client final : public mechanism {
public:
  /// `user` and `password` are at most 255 bytes each (checked by the caller's options).
  plain_client(std::string user, std::string password, metadata ours, peer_validator validate);

  std::string_view name() const noexcept override { return "PLAIN"; }
  bool as_server() const noexcept override { return false; }
  status start(std::vector<bytes>& out) override;
  status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) override;
  const metadata& peer_metadata() const noexcept override { return peer_; }
  const handshake_failure& failure() const noexcept override { return failure_; }

private:
  enum class state { start, expect_welcome, expect_ready, ready, failed };
  status fail(event_reason code, std::string reason, bool send_error, bool peer_said_error);
  status fail_on_error(const command_view& cmd);

  std::string user_;
  std::string password_;
  metadata ours_;
  peer_validator validate_;
  metadata peer_;
  handshake_failure failure_;
  state state_ = state::start;
};

/// The server side: HELLO -> (authenticator) -> WELCOME -> INITIATE -> READY. A denial is an
/// ERROR carrying the ZAP status code ("400"), as libzmq sends it.
class plain_server final : public mechanism {
public:
  /// `domain` is the ZAP domain put in the authentication request.
  plain_server(std::string domain, metadata ours, peer_validator validate);

  std::string_view name() const noexcept override { return "PLAIN"; }
  bool as_server() const noexcept override { return true; }
  status start(std::vector<bytes>& out) override;
  status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) override;
  const metadata& peer_metadata() const noexcept override { return peer_; }
  const handshake_failure& failure() const noexcept override { return failure_; }
  std::optional<auth_request> take_auth_request() override;
  status on_auth_reply(const auth_reply& reply, std::vector<bytes>& out) override;
  std::string user_id() const override { return user_id_; }

private:
  enum class state { expect_hello, authenticating, expect_initiate, ready, failed };
  status fail(event_reason code, std::string reason, bool send_error, bool peer_said_error);
  status fail_on_error(const command_view& cmd);
  status on_hello(const uint8_t* data, size_t size);
  status on_initiate(const uint8_t* data, size_t size, std::vector<bytes>& out);

  std::string domain_;
  metadata ours_;
  peer_validator validate_;
  metadata peer_;
  handshake_failure failure_;
  std::optional<auth_request> pending_;
  std::string user_id_;
  state state_ = state::expect_hello;
};

/// The body of a PLAIN HELLO command (RFC 24); nullopt if a field is longer than 255 bytes.
std::optional<bytes> make_plain_hello(std::string_view user, std::string_view password);

} // namespace cafmq::security
