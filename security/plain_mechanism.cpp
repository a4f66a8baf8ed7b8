// PLAIN (RFC 24) as two state machines. Parsing follows libzmq's checks: a user name length byte,
// the user name within the body, a password length byte, and the password ending exactly at the
// end of the body. Every unexpected command ends the handshake with an ERROR.
#include "security/plain_mechanism.hpp"

#include <cstring>

namespace cafmq::security {

namespace {


// libzmq 4.3's PLAIN server writes its ERROR prefix as "\x05ERROR" in C, which the compiler
// reads as the byte 0x5E followed by "RROR": the command arrives as 5E 'RROR' 03 <status>. A
// client that took it for malformed would report a protocol error where the server meant "your
// password is wrong", so the status code is read out of it. cafmq's own ERROR is well formed.
std::optional<std::string> libzmq_4_3_error(const uint8_t* body, size_t size) {
  static constexpr uint8_t prefix[] = {0x5E, 'R', 'R', 'O', 'R'};
  if (size < sizeof prefix + 1 || std::memcmp(body, prefix, sizeof prefix) != 0)
    return std::nullopt;
  return parse_error_reason(body + sizeof prefix, size - sizeof prefix);
}

bytes metadata_command(std::string_view name, const metadata& md) {
  bytes body;
  encode_metadata(md, body);
  return make_command(name, body.data(), body.size());
}

} // namespace

std::optional<bytes> make_plain_hello(std::string_view user, std::string_view password) {
  if (user.size() > 255 || password.size() > 255)
    return std::nullopt;
  bytes data;
  data.push_back(static_cast<uint8_t>(user.size()));
  data.insert(data.end(), user.begin(), user.end());
  data.push_back(static_cast<uint8_t>(password.size()));
  data.insert(data.end(), password.begin(), password.end());
  return make_command("HELLO", data.data(), data.size());
}

// -- client --

plain_client::plain_client(std::string user, std::string password, metadata ours,
                           peer_validator validate)
  : user_(std::move(user)), password_(std::move(password)), ours_(std::move(ours)),
    validate_(std::move(validate)) {
}

mechanism::status plain_client::start(std::vector<bytes>& out) {
  if (state_ != state::start)
    return state_ == state::failed ? status::failed : status::handshaking;
  auto hello = make_plain_hello(user_, password_);
  if (!hello)
    return fail(event_reason::protocol, "PLAIN user name or password longer than 255 bytes", false,
                false);
  out.push_back(std::move(*hello));
  state_ = state::expect_welcome;
  return status::handshaking;
}

mechanism::status plain_client::on_command(const uint8_t* body, size_t size,
                                           std::vector<bytes>& out) {
  if (state_ == state::failed)
    return status::failed;
  if (auto status = libzmq_4_3_error(body, size))
    return fail(error_command_code(*status), error_command_detail(status), false, true);
  auto cmd = parse_command(body, size);
  if (!cmd)
    return fail(event_reason::protocol, "malformed command body during the PLAIN handshake", true,
                false);
  if (cmd->name == "ERROR")
    return fail_on_error(*cmd);
  if (state_ == state::expect_welcome && cmd->name == "WELCOME") {
    if (cmd->size != 0)
      return fail(event_reason::protocol, "malformed PLAIN WELCOME (it carries no data)", true,
                  false);
    out.push_back(metadata_command("INITIATE", ours_));
    state_ = state::expect_ready;
    return status::handshaking;
  }
  if (state_ == state::expect_ready && cmd->name == "READY") {
    metadata md;
    if (auto why = parse_metadata(cmd->data, cmd->size, md))
      return fail(event_reason::protocol, "malformed READY metadata: " + *why, true, false);
    if (validate_) {
      if (auto refused = validate_(md))
        return fail(refused->code, std::move(refused->detail), true, false);
    }
    peer_ = std::move(md);
    state_ = state::ready;
    return status::ready;
  }
  return fail(event_reason::protocol,
              "unexpected command " + peer_text(cmd->name) + " during the PLAIN handshake", true,
              false);
}

mechanism::status plain_client::fail_on_error(const command_view& cmd) {
  auto reason = parse_error_reason(cmd.data, cmd.size);
  return fail(reason ? error_command_code(*reason) : event_reason::peer_error,
              error_command_detail(reason), false, true);
}

mechanism::status plain_client::fail(event_reason code, std::string reason, bool send_error,
                                     bool peer_said_error) {
  failure_ = {code, std::move(reason), send_error, peer_said_error, {}};
  state_ = state::failed;
  return status::failed;
}

// -- server --

plain_server::plain_server(std::string domain, metadata ours, peer_validator validate)
  : domain_(std::move(domain)), ours_(std::move(ours)), validate_(std::move(validate)) {
}

mechanism::status plain_server::start(std::vector<bytes>&) {
  return state_ == state::failed ? status::failed : status::handshaking;
}

mechanism::status plain_server::on_command(const uint8_t* body, size_t size,
                                           std::vector<bytes>& out) {
  if (state_ == state::failed)
    return status::failed;
  auto cmd = parse_command(body, size);
  if (!cmd)
    return fail(event_reason::protocol, "malformed command body during the PLAIN handshake", true,
                false);
  if (cmd->name == "ERROR")
    return fail_on_error(*cmd);
  if (state_ == state::expect_hello && cmd->name == "HELLO")
    return on_hello(cmd->data, cmd->size);
  if (state_ == state::expect_initiate && cmd->name == "INITIATE")
    return on_initiate(cmd->data, cmd->size, out);
  return fail(event_reason::protocol,
              "unexpected command " + peer_text(cmd->name) + " during the PLAIN handshake", true,
              false);
}

mechanism::status plain_server::fail_on_error(const command_view& cmd) {
  auto reason = parse_error_reason(cmd.data, cmd.size);
  return fail(reason ? error_command_code(*reason) : event_reason::peer_error,
              error_command_detail(reason), false, true);
}

mechanism::status plain_server::on_hello(const uint8_t* data, size_t size) {
  if (size < 1 || size < 1u + data[0] + 1)
    return fail(event_reason::protocol, "malformed PLAIN HELLO: user name runs past the command",
                true, false);
  size_t user_len = data[0];
  size_t pass_len = data[1 + user_len];
  if (2 + user_len + pass_len != size)
    return fail(event_reason::protocol,
                "malformed PLAIN HELLO: the password does not end the command", true, false);
  auth_request req;
  req.domain = domain_;
  req.mechanism = "PLAIN";
  req.credentials.emplace_back(reinterpret_cast<const char*>(data + 1), user_len);
  req.credentials.emplace_back(reinterpret_cast<const char*>(data + 2 + user_len), pass_len);
  pending_ = std::move(req);
  state_ = state::authenticating;
  return status::handshaking;
}

std::optional<auth_request> plain_server::take_auth_request() {
  auto req = std::move(pending_);
  pending_.reset();
  return req;
}

mechanism::status plain_server::on_auth_reply(const auth_reply& reply, std::vector<bytes>& out) {
  if (state_ != state::authenticating)
    return fail(event_reason::internal, "authentication reply without a request", false, false);
  if (reply.status_code != 200) {
    // libzmq sends the ZAP status code as the ERROR reason.
    auto f = fail(event_reason::auth,
                  "PLAIN authentication denied (" + std::to_string(reply.status_code) + " "
                    + printable(reply.status_text, 255) + ")",
                  reply.status_code != 300, false);  // 300: a temporary failure, no ERROR
    failure_.error_reason = std::to_string(reply.status_code);
    return f;
  }
  user_id_ = reply.user_id;
  out.push_back(make_command("WELCOME"));
  state_ = state::expect_initiate;
  return status::handshaking;
}

mechanism::status plain_server::on_initiate(const uint8_t* data, size_t size,
                                            std::vector<bytes>& out) {
  metadata md;
  if (auto why = parse_metadata(data, size, md))
    return fail(event_reason::protocol, "malformed INITIATE metadata: " + *why, true, false);
  if (validate_) {
    if (auto refused = validate_(md))
      return fail(refused->code, std::move(refused->detail), true, false);
  }
  peer_ = std::move(md);
  out.push_back(metadata_command("READY", ours_));
  state_ = state::ready;
  return status::ready;
}

mechanism::status plain_server::fail(event_reason code, std::string reason, bool send_error,
                                     bool peer_said_error) {
  failure_ = {code, std::move(reason), send_error, peer_said_error, {}};
  state_ = state::failed;
  return status::failed;
}

} // namespace cafmq::security
