// ZMTP command bodies and connection metadata (RFC 23 §Commands, §Connection Metadata), shared by
// the frame layer (net/) and the security mechanisms (security/). Pure functions on bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cafmq {

using bytes = std::vector<uint8_t>;

/// Metadata properties in wire order; names compare case-insensitively on lookup.
struct metadata {
  std::vector<std::pair<std::string, std::string>> properties;

  /// The value of `name` (any case), or nullopt.
  std::optional<std::string_view> find(std::string_view name) const;
  /// Appends a property.
  void add(std::string name, std::string value) {
    properties.emplace_back(std::move(name), std::move(value));
  }
};

/// Appends `md` as `name-len name value-len(4, BE) value` properties.
void encode_metadata(const metadata& md, bytes& out);
/// Parses properties filling `out`; nullopt on success, else why the bytes are malformed.
std::optional<std::string> parse_metadata(const uint8_t* data, size_t size, metadata& out);

/// A command body: `name-len name data` (without the frame header).
struct command_view {
  std::string_view name;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

/// Builds a command body from a name (1..255 bytes) and data.
bytes make_command(std::string_view name, const uint8_t* data = nullptr, size_t size = 0);
/// Splits a command body; nullopt if the name length is zero or runs past the body.
std::optional<command_view> parse_command(const uint8_t* body, size_t size);

/// An ERROR command body carrying `reason` (truncated to 255 bytes).
bytes make_error_command(std::string_view reason);
/// The reason carried by an ERROR command's data; nullopt if malformed.
std::optional<std::string> parse_error_reason(const uint8_t* data, size_t size);

/// Peer-supplied bytes made safe for a log line: non-printables as \xNN, cut after `max_len`.
std::string printable(std::string_view text, size_t max_len = 64);

} // namespace cafmq
