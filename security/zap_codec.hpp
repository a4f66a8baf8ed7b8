// ZAP (RFC 27) messages as cafmq::message values, sans-I/O: build and parse requests (the server
// side asks, a handler written with cafmq answers) and replies, the replies validated exactly as
// libzmq validates them (protocol-reference §2.5).
//
// Envelope: libzmq's servers talk to the handler at inproc://zeromq.zap.01 as a REQ would, so on
// the wire and on a DEALER (or a ROUTER, after its routing-id frame) every request and reply
// starts with an empty delimiter frame: zap_envelope::delimiter, the default everywhere. A REQ
// or REP socket adds and strips that delimiter itself, so what a program gives to or takes from
// one has none: pass zap_envelope::none. Every function below takes the envelope explicitly and
// checks it strictly (no guessing).
#pragma once

#include "runtime/core/mechanism.hpp"
#include "runtime/core/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cafmq::security {

/// Where the handler binds (libzmq: one handler per process).
inline constexpr std::string_view zap_endpoint = "inproc://zeromq.zap.01";
/// The only ZAP version.
inline constexpr std::string_view zap_version = "1.0";

/// Whether a ZAP message starts with the empty delimiter frame (see the file comment).
enum class zap_envelope { delimiter, none };

/// A parsed request: the request id plus the fields (the identity frame is `routing_id`).
struct zap_request {
  std::string request_id;
  auth_request request;
};

/// A parsed and validated reply, with the metadata the handler attached.
struct zap_reply {
  std::string request_id;
  auth_reply reply;
  metadata properties;
};

/// A value, or the text saying what was wrong with the input.
template <class T>
struct zap_result {
  std::optional<T> value;
  std::string error;
  explicit operator bool() const noexcept { return value.has_value(); }
};

/// The request for `req`: [""] "1.0" id domain address identity mechanism credentials...
/// Throws cafmq::error(invalid_argument) if the credentials do not fit the mechanism (PLAIN:
/// user and password; CURVE: one 32-byte key; NULL: none) or the identity exceeds 255 bytes.
message make_zap_request(const auth_request& req, std::string_view request_id,
                         zap_envelope env = zap_envelope::delimiter);

/// Parses a request (for handlers): version 1.0, all six fixed fields, a non-empty mechanism,
/// credentials fitting NULL/PLAIN/CURVE (other mechanisms' credentials pass as they are).
zap_result<zap_request> parse_zap_request(const message& msg,
                                          zap_envelope env = zap_envelope::delimiter);

/// The reply: [""] "1.0" id status-code status-text user-id metadata. Throws
/// cafmq::error(invalid_argument) unless the status code is 200, 300, 400 or 500.
message make_zap_reply(std::string_view request_id, const auth_reply& reply,
                       const metadata& properties = {},
                       zap_envelope env = zap_envelope::delimiter);

/// Parses a reply to the request `request_id` by libzmq's rules: exactly 7 frames (6 without
/// the delimiter), an empty delimiter, version "1.0", the request id echoed, a 3-character
/// status code "200", "300", "400" or "500", and metadata in ZMTP property encoding.
zap_result<zap_reply> parse_zap_reply(const message& msg, std::string_view request_id,
                                      zap_envelope env = zap_envelope::delimiter);

} // namespace cafmq::security
