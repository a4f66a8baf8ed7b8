// A connected byte stream (TCP or Unix-domain) handed from a listener or dialer to an engine.
// Opaque outside net/: the actors pass it along without seeing Asio. Each one lives on one
// io_loop, where its engine runs.
#pragma once

#include "runtime/core/process_credentials.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace cafmq::net {

class stream;  // defined in net/tcp_stream.hpp, private to net/
class io_loop;
using stream_ptr = std::shared_ptr<stream>;

/// The I/O loop the stream lives on: its engine must run there (session_args::loop).
io_loop& loop_of(const stream& s) noexcept;

/// "tcp://a.b.c.d:port" of the remote side, for logs and events; "ipc://path" (the bound path,
/// on both sides, as libzmq) for ipc.
std::string remote_name(const stream& s);
/// "tcp://a.b.c.d:port" of the local side; "ipc://path" for ipc.
std::string local_name(const stream& s);
/// ipc: the peer process (SO_PEERCRED); empty for tcp or when the kernel does not say.
std::optional<process_credentials> peer_process(const stream& s);

/// The stream's descriptor, for unread_bytes. Valid until its engine closes the stream; after
/// that the number may name another descriptor: use it only where a wrong answer is harmless.
int native_descriptor(stream& s) noexcept;
/// Bytes the kernel holds unread on descriptor `fd` (FIONREAD); 0 if it cannot say. Reads none.
size_t unread_bytes(int fd) noexcept;

/// TCP keepalive as libzmq's ZMQ_TCP_KEEPALIVE* options: -1 leaves the OS setting.
struct tcp_keepalive {
  int enable = -1;  ///< SO_KEEPALIVE: -1 OS default, 0 off, 1 on
  int idle = -1;    ///< TCP_KEEPIDLE seconds (applied only when enable is 1)
  int cnt = -1;     ///< TCP_KEEPCNT probes (applied only when enable is 1)
  int intvl = -1;   ///< TCP_KEEPINTVL seconds (applied only when enable is 1)
};

/// Applies `ka` to a connected TCP socket descriptor; empty on success, else what failed.
std::string apply_tcp_keepalive(int fd, const tcp_keepalive& ka);
/// Applies `ka` to a stream (accepted or dialed) before its engine starts.
std::string apply_tcp_keepalive(stream& s, const tcp_keepalive& ka);

} // namespace cafmq::net
