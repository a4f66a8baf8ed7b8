// The ZeroMQ socket types and their ZMTP names (RFC 23 "Socket-Type" property).
#pragma once

#include <optional>
#include <string_view>

namespace cafmq {

/// Every ZeroMQ socket type; the patterns that exist so far are listed in docs/.
enum class socket_type { pair, pub, sub, req, rep, dealer, router, pull, push, xpub, xsub, stream };

/// The upper-case ZMTP name ("PUSH").
std::string_view zmtp_name(socket_type t) noexcept;
/// The lower-case name used by the CLI ("push").
std::string_view cli_name(socket_type t) noexcept;
/// Parses a lower- or upper-case name; nullopt if unknown.
std::optional<socket_type> parse_socket_type(std::string_view name) noexcept;

} // namespace cafmq
