// Picks and builds the security mechanism of one connection from a socket's options: NULL,
// PLAIN client/server or CURVE client/server (docs/security.md).
#pragma once

#include "runtime/core/mechanism.hpp"
#include "runtime/core/options.hpp"
#include "security/curve_keys.hpp"

#include <string_view>

namespace cafmq::security {

/// A key option's value: 40 Z85 characters or 32 raw bytes (as libzmq accepts). Throws
/// cafmq::error(invalid_argument) naming `option` and what is wrong.
curve_key parse_key_option(std::string_view option, const std::string& value);

/// Checks the key options of `options` (formats; a public key that belongs to the secret key).
/// Throws cafmq::error(invalid_argument) naming the option.
void validate_security_options(const socket_options& options);

/// True if connections of a socket with these options are put to an authenticator: PLAIN and
/// CURVE servers, and NULL sockets with a zap_domain (as libzmq 4.3).
bool asks_authenticator(const socket_options& options) noexcept;

/// The mechanism name the options select ("NULL", "PLAIN" or "CURVE").
std::string_view mechanism_name(const socket_options& options) noexcept;

/// The mechanism for one new connection. `ours` is the metadata we send (Socket-Type,
/// Identity); `validate` judges the peer's. Options must have passed validation.
mechanism_ptr make_mechanism(const socket_options& options, metadata ours,
                             peer_validator validate);

} // namespace cafmq::security
