// Hand-built ZMTP 3.x bytes (RFC 23 / RFC 37, protocol-reference §1), written independently of the
// library's codec so the tests check cafmq against the spec rather than against itself.
#pragma once

#include "support/raw_tcp.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cafmq::test::zmtp {

/// A 64-byte greeting: FF, 8 padding bytes, 7F, major, minor, mechanism (NUL padded to 20),
/// as-server, 31 zero bytes.
bytes greeting(const std::string& mechanism = "NULL", uint8_t major = 3, uint8_t minor = 1,
               uint8_t as_server = 0);
/// A frame header: flags then a 1-byte size (size <= 255 and !force_long) or an 8-byte BE size
/// with the LONG bit set.
bytes frame_header(uint8_t flags, uint64_t size, bool force_long = false);
/// A complete message frame (MORE set when `more`).
bytes message_frame(const std::string& body, bool more = false);
/// A command frame: name length, name, data.
bytes command(const std::string& name, const bytes& data = {});
/// READY with the given properties (name, value) in order.
bytes ready(const std::vector<std::pair<std::string, std::string>>& properties);
/// READY with only Socket-Type.
bytes ready_socket_type(const std::string& type);
/// Concatenation.
bytes concat(std::initializer_list<bytes> parts);

/// One frame as read off the wire.
struct wire_frame {
  uint8_t flags = 0;
  bytes body;
  bool is_command() const noexcept { return (flags & 0x04) != 0; }
  /// For a command: its name (empty if malformed).
  std::string command_name() const;
  /// For a command: the bytes after the name.
  bytes command_data() const;
};

/// Reads one frame from `c`; nullopt if the connection closed or `timeout` passed first.
std::optional<wire_frame> read_frame(raw_client& c, std::chrono::milliseconds timeout);

/// Connects to a cafmq socket bound at `endpoint` and completes a NULL handshake as `type`
/// (reads its greeting, sends ours, sends READY, reads its READY). Throws std::runtime_error
/// naming the step that failed.
raw_client handshake_as(const std::string& endpoint, const std::string& type,
                        std::chrono::milliseconds timeout);

} // namespace cafmq::test::zmtp
