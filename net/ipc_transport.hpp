// The ipc:// entry of the transport table: Unix-domain stream sockets speaking ZMTP, as
// libzmq's ipc transport (paths, "@name" abstract names, the "*" wildcard).
#pragma once

#include "net/transport.hpp"

namespace cafmq::net {

/// ipc://path over Asio's local stream sockets (net/ipc_listener.cpp, net/ipc_dialer.cpp).
extern const transport ipc_transport;

/// Binds `ep` on `home`'s I/O thread, then calls `done` there.
void bind_ipc(io_loop& home, const endpoint& ep, bind_fn done);

/// Connects to `ep` on a loop picked from `home`'s pool; `done` runs on that loop.
cancel_fn dial_ipc(io_loop& home, const endpoint& ep, dial_fn done);

} // namespace cafmq::net
