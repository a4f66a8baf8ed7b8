// The NULL mechanism (RFC 23 §The NULL Security Mechanism, RFC 37): both sides send READY with
// their metadata right away; no authentication, no encryption. Insecure: trusted networks only.
// With a ZAP domain (RFC 27, as libzmq 4.3) a side first asks its authenticator about the peer
// (mechanism "NULL", no credentials) and sends READY only once allowed.
#pragma once

#include "runtime/core/mechanism.hpp"

namespace cafmq::security {

/// NULL handshake: READY out, READY (or ERROR) in, peer validated.
class null_mechanism final : public mechanism {
public:
  /// `ours` is sent in READY (Socket-Type, Identity); `validate` judges the peer's metadata.
  /// A non-empty `zap_domain` puts the peer to the authenticator first.
  null_mechanism(metadata ours, peer_validator validate, std::string zap_domain = {});

  std::string_view name() const noexcept override { return "NULL"; }
  bool as_server() const noexcept override { return false; }
  status start(std::vector<bytes>& out) override;
  status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) override;
  const metadata& peer_metadata() const noexcept override { return peer_; }
  const handshake_failure& failure() const noexcept override { return failure_; }
  std::optional<auth_request> take_auth_request() override;
  status on_auth_reply(const auth_reply& reply, std::vector<bytes>& out) override;
  std::string user_id() const override { return user_id_; }

private:
  status progress() const noexcept;
  status fail(event_reason code, std::string reason, bool send_error, bool peer_said_error);

  metadata ours_;
  peer_validator validate_;
  metadata peer_;
  handshake_failure failure_;
  std::string domain_;
  std::optional<auth_request> pending_;
  std::string user_id_;
  bool allowed_;  // true without a domain, else once the authenticator said 200
  bool ready_sent_ = false;
  bool ready_received_ = false;
  bool failed_ = false;
};

} // namespace cafmq::security
