// Which full-queue policies each socket type allows, and its default (libzmq's behaviour): the
// patterns that queue per peer by choice may block, drop the newest or the oldest message, or
// fail; the others keep what the RFCs prescribe.
#pragma once

#include "runtime/core/options.hpp"
#include "runtime/core/socket_type.hpp"

namespace cafmq::patterns {

/// The policy a socket of `type` with `o` runs: o.full_policy, or the type's default for
/// automatic. Throws cafmq::error (invalid_argument) saying why when the type does not allow the
/// policy or it contradicts another option.
full_policy resolve_full_policy(socket_type type, const socket_options& o);

/// The policy's option name ("drop_newest").
const char* to_string(full_policy p) noexcept;

} // namespace cafmq::patterns
