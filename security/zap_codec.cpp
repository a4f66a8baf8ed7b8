// ZAP request and reply frames (RFC 27 §Formal Specification). The reply checks follow libzmq's
// order, so a bad handler gets the same verdict from cafmq as from libzmq; error texts name the
// libzmq error each check stands for.
#include "security/zap_codec.hpp"

#include "runtime/core/error.hpp"

#include <stdexcept>

namespace cafmq::security {

namespace {

// Frames after the envelope: version, id, domain, address, identity, mechanism.
constexpr size_t request_fixed_frames = 6;
// Frames of a reply after the envelope: version, id, code, text, user id, metadata.
constexpr size_t reply_frames = 6;
constexpr size_t max_identity = 255;

size_t envelope_frames(zap_envelope env) noexcept {
  return env == zap_envelope::delimiter ? 1 : 0;
}

void add_envelope(message& msg, zap_envelope env) {
  if (env == zap_envelope::delimiter)
    msg.add(frame{});
}

/// Why `credentials` do not fit `mechanism`, or nullopt if they do (unknown mechanisms pass).
std::optional<std::string> credentials_problem(std::string_view mechanism,
                                               const std::vector<std::string>& credentials) {
  auto count = std::to_string(credentials.size());
  if (mechanism == "NULL" && !credentials.empty())
    return "NULL carries no credentials, got " + count;
  if (mechanism == "PLAIN" && credentials.size() != 2)
    return "PLAIN carries 2 credentials (user name, password), got " + count;
  if (mechanism == "CURVE") {
    if (credentials.size() != 1)
      return "CURVE carries 1 credential (the client's public key), got " + count;
    if (credentials[0].size() != 32)
      return "the CURVE credential is a 32-byte public key, got "
             + std::to_string(credentials[0].size()) + " bytes";
  }
  return std::nullopt;
}

/// The status code as a number if it is one of "200", "300", "400", "500" (libzmq: three
/// characters, the first 2..5, then "00").
std::optional<int> status_code_of(std::string_view code) noexcept {
  if (code.size() != 3 || code[0] < '2' || code[0] > '5' || code[1] != '0' || code[2] != '0')
    return std::nullopt;
  return (code[0] - '0') * 100;
}

template <class T>
zap_result<T> failed(std::string why) {
  return zap_result<T>{std::nullopt, std::move(why)};
}

} // namespace

message make_zap_request(const auth_request& req, std::string_view request_id, zap_envelope env) {
  if (req.mechanism.empty())
    throw error{errc::invalid_argument, "a ZAP request needs a mechanism name"};
  if (auto why = credentials_problem(req.mechanism, req.credentials))
    throw error{errc::invalid_argument, "ZAP request: " + *why};
  if (req.routing_id.size() > max_identity)
    throw error{errc::invalid_argument, "ZAP request: the identity exceeds 255 bytes"};
  message msg;
  add_envelope(msg, env);
  for (std::string_view part : {zap_version, request_id, std::string_view{req.domain},
                                std::string_view{req.address}, std::string_view{req.routing_id},
                                std::string_view{req.mechanism}})
    msg.add(frame{part});
  for (auto& c : req.credentials)
    msg.add(frame{c});
  return msg;
}

zap_result<zap_request> parse_zap_request(const message& msg, zap_envelope env) {
  size_t first = envelope_frames(env);
  if (msg.size() < first + request_fixed_frames)
    return failed<zap_request>("ZAP request has " + std::to_string(msg.size())
                               + " frames, fewer than the " + std::to_string(first + 6)
                               + " fixed ones");
  if (env == zap_envelope::delimiter && !msg[0].empty())
    return failed<zap_request>("ZAP request: the first frame is not the empty delimiter");
  if (msg[first].view() != zap_version)
    return failed<zap_request>("ZAP request: version is '" + printable(msg[first].view())
                               + "', not 1.0");
  zap_request out;
  out.request_id = msg[first + 1].to_string();
  auto& r = out.request;
  r.domain = msg[first + 2].to_string();
  r.address = msg[first + 3].to_string();
  r.routing_id = msg[first + 4].to_string();
  r.mechanism = msg[first + 5].to_string();
  if (r.routing_id.size() > max_identity)
    return failed<zap_request>("ZAP request: the identity exceeds 255 bytes");
  if (r.mechanism.empty())
    return failed<zap_request>("ZAP request: empty mechanism");
  for (size_t i = first + request_fixed_frames; i < msg.size(); ++i)
    r.credentials.push_back(msg[i].to_string());
  if (auto why = credentials_problem(r.mechanism, r.credentials))
    return failed<zap_request>("ZAP request: " + *why);
  return {std::move(out), {}};
}

message make_zap_reply(std::string_view request_id, const auth_reply& reply,
                       const metadata& properties, zap_envelope env) {
  auto code = std::to_string(reply.status_code);
  if (!status_code_of(code))
    throw error{errc::invalid_argument,
                "ZAP status code must be 200, 300, 400 or 500, not " + code};
  bytes encoded;
  try {
    encode_metadata(properties, encoded);
  } catch (const std::invalid_argument& e) {
    throw error{errc::invalid_argument, std::string("ZAP reply metadata: ") + e.what()};
  }
  message msg;
  add_envelope(msg, env);
  for (std::string_view part : {zap_version, request_id, std::string_view{code},
                                std::string_view{reply.status_text},
                                std::string_view{reply.user_id}})
    msg.add(frame{part});
  msg.add(frame{encoded.data(), encoded.size()});
  return msg;
}

zap_result<zap_reply> parse_zap_reply(const message& msg, std::string_view request_id,
                                      zap_envelope env) {
  size_t first = envelope_frames(env);
  if (msg.size() != first + reply_frames)
    return failed<zap_reply>("malformed ZAP reply: " + std::to_string(msg.size())
                             + " frames, not " + std::to_string(first + reply_frames));
  if (env == zap_envelope::delimiter && !msg[0].empty())
    return failed<zap_reply>("ZAP reply: the first frame is not the empty delimiter");
  if (msg[first].view() != zap_version)
    return failed<zap_reply>("ZAP reply: bad version '" + printable(msg[first].view())
                             + "', not 1.0");
  if (msg[first + 1].view() != request_id)
    return failed<zap_reply>("ZAP reply: bad request id '" + printable(msg[first + 1].view())
                             + "', expected '" + printable(request_id) + "'");
  auto code = status_code_of(msg[first + 2].view());
  if (!code)
    return failed<zap_reply>("ZAP reply: invalid status code '"
                             + printable(msg[first + 2].view())
                             + "' (expected 200, 300, 400 or 500)");
  zap_reply out;
  auto& md = msg[first + 5];
  if (auto why = parse_metadata(md.data(), md.size(), out.properties))
    return failed<zap_reply>("ZAP reply: invalid metadata: " + *why);
  out.request_id = msg[first + 1].to_string();
  out.reply.status_code = *code;
  out.reply.status_text = msg[first + 3].to_string();
  out.reply.user_id = msg[first + 4].to_string();
  return {std::move(out), {}};
}

} // namespace cafmq::security
