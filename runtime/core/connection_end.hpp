// Why a connection, a dial or an accept ended: a typed value built where the
// failure happens (the codec, a mechanism, the engine, the dialler), carried
// unchanged to the actors and into the monitor event. Nothing downstream reads
// `detail` to decide anything.
#pragma once

#include "log.hpp"
#include "monitor_event.hpp"

#include <string>
#include <string_view>
#include <system_error>

namespace cafmq {

struct connection_end {
  event_reason code = event_reason::io;
  /// Never redial with the same settings: the peer sent ERROR, broke the
  /// protocol, or refused our credentials (RFC 23). Transient ends (I/O,
  /// timeouts) allow a reconnect.
  bool permanent = false;
  /// Ended because the peer stayed silent past heartbeat_timeout (code is
  /// timeout).
  bool heartbeat = false;
  /// For people: logs and monitor events. Bytes chosen by the peer appear only
  /// through peer_text(), escaped and bounded.
  std::string detail;
};

/// A transient end: reconnecting may help.
connection_end transient_end(event_reason code, std::string detail);
/// A permanent end: the same peer and settings would fail again.
connection_end permanent_end(event_reason code, std::string detail);

/// The code of an OS error (errno values of the system or generic category):
/// refused, unreachable, timeout, resource, else io. Never reads the
/// locale-dependent message text.
event_reason reason_of(const std::error_code& ec) noexcept;
/// A transient end for an OS error: reason_of(ec), with "<what>: <message>" as
/// detail.
connection_end os_end(const std::error_code& ec, std::string_view what);

/// Bytes chosen by the peer, fit for `detail`: quoted, non-printable bytes
/// escaped as \xNN, at most `max_len` bytes shown.
std::string peer_text(std::string_view bytes, size_t max_len = 64);

/// The level a connection or connector ending for `code` is logged at: warn for
/// what a peer or the configuration got wrong (protocol, credentials, types,
/// ERROR, given up, internal faults), info for the ordinary life of connections
/// (EOF, reset, refused, timeouts, local closes, evictions).
log::level log_level_of(event_reason code) noexcept;

} // namespace cafmq
