// Names and the JSON rendering of monitor events.
#include "runtime/core/monitor_event.hpp"

#include <cstdio>

namespace cafmq {

const char* to_string(event_kind kind) noexcept {
  switch (kind) {
    case event_kind::listening: return "listening";
    case event_kind::bind_failed: return "bind_failed";
    case event_kind::accepted: return "accepted";
    case event_kind::accept_failed: return "accept_failed";
    case event_kind::connected: return "connected";
    case event_kind::connect_delayed: return "connect_delayed";
    case event_kind::connect_retried: return "connect_retried";
    case event_kind::handshake_succeeded: return "handshake_succeeded";
    case event_kind::handshake_failed: return "handshake_failed";
    case event_kind::disconnected: return "disconnected";
    case event_kind::heartbeat_timeout: return "heartbeat_timeout";
    case event_kind::messages_dropped: return "messages_dropped";
    case event_kind::closed: return "closed";
  }
  return "unknown";
}

const char* to_string(event_reason reason) noexcept {
  switch (reason) {
    case event_reason::none: return "none";
    case event_reason::protocol: return "protocol";
    case event_reason::auth: return "auth";
    case event_reason::mechanism_mismatch: return "mechanism_mismatch";
    case event_reason::incompatible_socket_type: return "incompatible_socket_type";
    case event_reason::timeout: return "timeout";
    case event_reason::peer_error: return "peer_error";
    case event_reason::io: return "io";
    case event_reason::refused: return "refused";
    case event_reason::unreachable: return "unreachable";
    case event_reason::local: return "local";
    case event_reason::resource: return "resource";
    case event_reason::gave_up: return "gave_up";
    case event_reason::restart_intensity: return "restart_intensity";
    case event_reason::stop_condition: return "stop_condition";
    case event_reason::address_in_use: return "address_in_use";
    case event_reason::bad_endpoint: return "bad_endpoint";
    case event_reason::internal: return "internal";
  }
  return "unknown";
}

namespace {

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    }
  }
  out += '"';
}

void field(std::string& out, const char* name, const std::string& value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_string(out, value);
}

void field(std::string& out, const char* name, unsigned long long value) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(value);
}

} // namespace

std::string to_json(const monitor_event& e) {
  std::string out = "{\"event\":\"";
  out += to_string(e.kind);
  out += '"';
  field(out, "endpoint", e.endpoint);
  if (e.connection_id != 0)
    field(out, "connection_id", e.connection_id);
  if (!e.local_endpoint.empty())
    field(out, "local", e.local_endpoint);
  if (!e.remote_endpoint.empty())
    field(out, "remote", e.remote_endpoint);
  if (!e.routing_id.empty())
    field(out, "routing_id", e.routing_id);
  if (e.zmtp_known)
    field(out, "zmtp", "3." + std::to_string(e.zmtp_minor));
  if (!e.mechanism.empty())
    field(out, "mechanism", e.mechanism);
  if (!e.identity.empty())
    field(out, "identity", e.identity);
  if (e.reason_code != event_reason::none)
    field(out, "reason_code", to_string(e.reason_code));
  if (!e.reason.empty())
    field(out, "reason", e.reason);
  if (e.kind == event_kind::connect_retried)
    field(out, "retry_ivl_ms", static_cast<unsigned long long>(e.retry_ivl.count()));
  if (e.kind == event_kind::messages_dropped)
    field(out, "dropped", e.dropped);
  out += '}';
  return out;
}

} // namespace cafmq
