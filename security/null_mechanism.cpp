// The NULL mechanism (RFC 23 §The NULL Security Mechanism, RFC 37): READY out at once (libzmq does
// so in both roles), then exactly one READY or ERROR in. Anything else ends the handshake.
#include "security/null_mechanism.hpp"

namespace cafmq::security {

null_mechanism::null_mechanism(metadata ours, peer_validator validate, std::string zap_domain)
  : ours_(std::move(ours)), validate_(std::move(validate)), domain_(std::move(zap_domain)),
    allowed_(domain_.empty()) {
}

mechanism::status null_mechanism::progress() const noexcept {
  return ready_sent_ && ready_received_ ? status::ready : status::handshaking;
}

mechanism::status null_mechanism::start(std::vector<bytes>& out) {
  if (failed_)
    return status::failed;
  if (!allowed_) {  // READY waits for the authenticator's verdict
    auth_request req;
    req.domain = domain_;
    req.mechanism = "NULL";
    pending_ = std::move(req);
    return status::handshaking;
  }
  if (!ready_sent_) {
    bytes md;
    encode_metadata(ours_, md);
    out.push_back(make_command("READY", md.data(), md.size()));
    ready_sent_ = true;
  }
  return progress();
}

std::optional<auth_request> null_mechanism::take_auth_request() {
  auto req = std::move(pending_);
  pending_.reset();
  return req;
}

mechanism::status null_mechanism::on_auth_reply(const auth_reply& reply,
                                                std::vector<bytes>& out) {
  if (failed_)
    return status::failed;
  if (allowed_)
    return fail(event_reason::internal, "authentication reply without a request", false, false);
  if (reply.status_code != 200) {
    // As libzmq: ERROR carries the ZAP status code; 300 (temporary) closes without one.
    auto f = fail(event_reason::auth,
                  "NULL authentication denied (" + std::to_string(reply.status_code) + " "
                    + printable(reply.status_text, 255) + ")",
                  reply.status_code != 300, false);
    failure_.error_reason = std::to_string(reply.status_code);
    return f;
  }
  allowed_ = true;
  user_id_ = reply.user_id;
  return start(out);
}

mechanism::status null_mechanism::on_command(const uint8_t* body, size_t size,
                                             std::vector<bytes>&) {
  if (failed_)
    return status::failed;
  auto cmd = parse_command(body, size);
  if (!cmd)
    return fail(event_reason::protocol, "malformed command body during the NULL handshake", true,
                false);
  if (cmd->name == "READY") {
    if (ready_received_)
      return fail(event_reason::protocol, "unexpected second READY", true, false);
    metadata md;
    if (auto why = parse_metadata(cmd->data, cmd->size, md))
      return fail(event_reason::protocol, "malformed READY metadata: " + *why, true, false);
    if (validate_) {
      if (auto refused = validate_(md))
        return fail(refused->code, std::move(refused->detail), true, false);
    }
    peer_ = std::move(md);
    ready_received_ = true;
    return progress();
  }
  if (cmd->name == "ERROR") {
    // ERROR is fatal and final: never answer it with an ERROR of our own.
    auto reason = parse_error_reason(cmd->data, cmd->size);
    return fail(reason ? error_command_code(*reason) : event_reason::peer_error,
                error_command_detail(reason), false, true);
  }
  return fail(event_reason::protocol,
              "unexpected command " + peer_text(cmd->name) + " during the NULL handshake", true,
              false);
}

mechanism::status null_mechanism::fail(event_reason code, std::string reason, bool send_error,
                                       bool peer_said_error) {
  failure_.code = code;
  failure_.reason = std::move(reason);
  failure_.send_error = send_error;
  failure_.peer_said_error = peer_said_error;
  failed_ = true;
  return status::failed;
}

} // namespace cafmq::security
