// Building connection ends; OS errors map by errno value, never by text.
#include "runtime/core/connection_end.hpp"

#include "runtime/core/zmtp_command.hpp"

#include <cerrno>

namespace cafmq {

connection_end transient_end(event_reason code, std::string detail) {
  return {code, false, false, std::move(detail)};
}

connection_end permanent_end(event_reason code, std::string detail) {
  return {code, true, false, std::move(detail)};
}

event_reason reason_of(const std::error_code& ec) noexcept {
  if (ec.category() != std::system_category() && ec.category() != std::generic_category())
    return event_reason::io;
  switch (ec.value()) {
    case ECONNREFUSED: return event_reason::refused;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case EADDRNOTAVAIL: return event_reason::unreachable;
    case ETIMEDOUT: return event_reason::timeout;
    case ENOMEM:
    case ENOBUFS:
    case EMFILE:
    case ENFILE: return event_reason::resource;
    default: return event_reason::io;
  }
}

connection_end os_end(const std::error_code& ec, std::string_view what) {
  return transient_end(reason_of(ec), std::string(what) + ": " + ec.message());
}

std::string peer_text(std::string_view bytes, size_t max_len) {
  std::string out = "\"";
  for (char c : printable(bytes, max_len))
    out += c == '"' ? std::string("\\x22") : std::string(1, c);
  return out + "\"";
}

log::level log_level_of(event_reason code) noexcept {
  switch (code) {
    case event_reason::protocol:
    case event_reason::auth:
    case event_reason::mechanism_mismatch:
    case event_reason::incompatible_socket_type:
    case event_reason::peer_error:
    case event_reason::gave_up:
    case event_reason::restart_intensity:
    case event_reason::address_in_use:
    case event_reason::bad_endpoint:
    case event_reason::internal: return log::level::warn;
    case event_reason::none:
    case event_reason::io:
    case event_reason::refused:
    case event_reason::unreachable:
    case event_reason::timeout:
    case event_reason::local:
    case event_reason::resource:
    case event_reason::stop_condition: return log::level::info;
  }
  return log::level::warn;
}

} // namespace cafmq
