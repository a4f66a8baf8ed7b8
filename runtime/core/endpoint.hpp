// Endpoint strings, parsed and checked, for every scheme:
//   tcp://host:port, tcp://*:port, tcp://[::1]:*, tcp://src:port;host:port (connect),
//   ipc:///path, ipc://@abstract, ipc://* (bind), inproc://name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cafmq {

/// tcp: the local address a connection is made from (libzmq's "tcp://src:port;dst:port").
struct tcp_source {
  std::string host;  ///< address, name or interface; "*" = any
  uint16_t port = 0; ///< 0 = any (given as 0 or "*")
};

/// A parsed endpoint.
struct endpoint {
  std::string transport;  ///< "tcp", "ipc" or "inproc"

  // tcp
  std::string host;       ///< name, address or (bind) interface name; "*" binds every interface
  uint16_t port = 0;      ///< 0 with `any_port` means "pick an ephemeral port"
  bool any_port = false;  ///< the port was given as "*" (or 0 for bind)
  std::optional<tcp_source> source;  ///< connect only: where to connect from
  /// Not part of the text: the socket's ipv6 option at bind/connect time. false: IPv4 only
  /// ("*" binds 0.0.0.0, names resolve to IPv4 addresses).
  bool ipv6 = true;

  // ipc and inproc
  /// ipc: a file path, "@name" (Linux abstract namespace) or "*" (bind: a fresh private path);
  /// inproc: the name.
  std::string path;

  /// Back to the canonical string form.
  std::string to_string() const;
};

/// The longest ipc path: sockaddr_un's sun_path holds 108 bytes with the terminating NUL; an
/// abstract name ("@name") has the same room, its NUL lead byte standing in for the '@'.
inline constexpr size_t max_ipc_path = 107;
/// The longest inproc name (libzmq has no limit; a bound one keeps names readable in errors).
inline constexpr size_t max_inproc_name = 256;

/// Parses `text`; throws cafmq::error(errc::invalid_endpoint) saying what is wrong, or
/// errc::unsupported for a scheme cafmq does not know. `for_bind` allows "*" as tcp host and
/// port, and as the ipc path; a tcp source address is for connect only.
endpoint parse_endpoint(std::string_view text, bool for_bind);

} // namespace cafmq
