// The NULL mechanism (RFC 23 §The NULL Security Mechanism, RFC 37): both sides send READY with
// their metadata right away; no authentication, no encryption. Insecure: trusted networks only.
#pragma once

#include "runtime/core/mechanism.hpp"

namespace cafmq::security {

/// NULL handshake: READY out, READY (or ERROR) in, peer validated.
class null_mechanism final : public mechanism {
public:
  /// `ours` is sent in READY (Socket-Type, Identity); `validate` judges the peer's metadata.
  null_mechanism(metadata ours, peer_validator validate);

  std::string_view name() const noexcept override { return "NULL"; }
  bool as_server() const noexcept override { return false; }
  status start(std::vector<bytes>& out) override;
  status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) override;
  const metadata& peer_metadata() const noexcept override { return peer_; }
  const handshake_failure& failure() const noexcept override { return failure_; }

private:
  status fail(event_reason code, std::string reason, bool send_error, bool peer_said_error);

  metadata ours_;
  peer_validator validate_;
  metadata peer_;
  handshake_failure failure_;
  bool ready_sent_ = false;
  bool ready_received_ = false;
  bool failed_ = false;
};

} // namespace cafmq::security
