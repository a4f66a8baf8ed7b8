// Endpoint strings ("tcp://host:port", "tcp://*:port", "tcp://127.0.0.1:*"), parsed and checked.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cafmq {

/// A parsed endpoint. Only tcp exists so far; ipc and inproc come later.
struct endpoint {
  std::string transport;  ///< "tcp"
  std::string host;       ///< name or address; "*" binds every interface
  uint16_t port = 0;      ///< 0 with `any_port` means "pick an ephemeral port"
  bool any_port = false;  ///< the port was given as "*"

  /// Back to the canonical string form.
  std::string to_string() const;
};

/// Parses `text`; throws cafmq::error(errc::invalid_endpoint) saying what is wrong.
/// `for_bind` allows "*" as host and port.
endpoint parse_endpoint(std::string_view text, bool for_bind);

} // namespace cafmq
