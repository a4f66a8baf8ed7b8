// Which full-queue policies each socket type allows, and its default (libzmq's behaviour): the
// patterns that queue per peer by choice may block, drop the newest message or fail; the others
// keep what the RFCs prescribe. drop_oldest is refused everywhere: the writer of an SPSC ring
// cannot take back a message the ring already published to the I/O thread.
#pragma once

#include "runtime/core/options.hpp"
#include "runtime/core/socket_type.hpp"

namespace cafmq::patterns {

/// The policy a socket of `type` with `o` runs: o.full_policy, or the type's default for
/// automatic. Throws cafmq::error (unsupported for drop_oldest, invalid_argument for a policy the
/// type does not allow or that contradicts another option) saying what was wrong.
full_policy resolve_full_policy(socket_type type, const socket_options& o);

/// The policy's option name ("drop_newest").
const char* to_string(full_policy p) noexcept;

} // namespace cafmq::patterns
