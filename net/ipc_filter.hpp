// libzmq's ZMQ_IPC_FILTER_UID/GID/PID: which processes a bound ipc endpoint accepts, judged by
// the credentials the kernel recorded when the peer connected (SO_PEERCRED).
#pragma once

#include "net/stream.hpp"
#include "runtime/core/options.hpp"

#include <optional>
#include <string>

namespace cafmq::net {

/// Why `s` is refused under `o`'s ipc filters, or nothing when it may stay: no filter is set, it
/// is not an ipc stream, or its uid, gid or pid is in a filter (a gid filter also admits a user
/// whose supplementary groups include it, as libzmq).
std::optional<std::string> ipc_filter_refusal(const stream& s, const socket_options& o);

} // namespace cafmq::net
