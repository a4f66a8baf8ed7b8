// cafmq::proxy: libzmq's zmq_proxy and zmq_proxy_steerable (docs/proxy.md). Moves messages
// between a frontend and a backend socket on the caller's thread, zero-copy and multipart whole,
// reading a side only while the other side can take what it reads (both sides' HWMs hold).
#pragma once

#include "core/message.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace cafmq {

class socket;

/// What a proxy moved so far. The first eight are libzmq's STATISTICS reply, in its order;
/// a message is a whole multipart message here (libzmq counts frames).
struct proxy_statistics {
  uint64_t frontend_messages_in = 0;   ///< received by the frontend socket
  uint64_t frontend_bytes_in = 0;
  uint64_t frontend_messages_out = 0;  ///< sent by the frontend socket
  uint64_t frontend_bytes_out = 0;
  uint64_t backend_messages_in = 0;    ///< received by the backend socket
  uint64_t backend_bytes_in = 0;
  uint64_t backend_messages_out = 0;   ///< sent by the backend socket
  uint64_t backend_bytes_out = 0;
  uint64_t capture_dropped = 0;        ///< copies the capture socket had no room for (not in the reply)
  /// Messages of one frame bound for a ROUTER side (no routing id and a body): dropped, as
  /// libzmq's ROUTER drops what it cannot route (not in the reply).
  uint64_t unroutable_dropped = 0;
};

/// Why proxy() returned.
enum class proxy_end {
  terminate_command,  ///< TERMINATE arrived on the control socket (zmq_proxy_steerable returns 0)
  socket_closed,      ///< a socket was closed or its context terminated (zmq_proxy's ETERM)
};

/// What proxy() returns.
struct proxy_result {
  proxy_end end = proxy_end::socket_closed;
  proxy_statistics statistics;
};

/// Messages a proxy takes from one socket before it forwards them (the most it holds per
/// direction while the other side is full).
inline constexpr size_t proxy_batch = 256;

/// Forwards every message the frontend receives to the backend and back (each direction the two
/// socket types allow: PULL->PUSH only one way, ROUTER<->DEALER and XSUB<->XPUB both), until
/// TERMINATE arrives on `control` or a socket is closed / the context terminated (returned, not
/// thrown). Messages are moved, never copied; a side is read only while the other can take
/// what was read (a full backend stops the frontend's reads: its HWM, then the peers' HWMs,
/// push back), holding at most proxy_batch messages per direction.
///
/// `capture` (any type that sends: PUB, PUSH, PAIR, DEALER...) gets a copy of each message in
/// both directions; the copy shares the frames' buffers (frames above frame::inline_capacity
/// bytes are reference-counted, smaller ones are inline bytes). A capture with no room drops
/// the copy (counted in capture_dropped): it never slows the proxy.
///
/// `control` takes libzmq's steerable commands, one frame each: "PAUSE" (stop reading both
/// sides), "RESUME", "TERMINATE", "STATISTICS" (replies with eight frames, each a uint64 in
/// native byte order as libzmq sends it: the first eight fields of proxy_statistics). A REP
/// control gets an empty reply to the other commands (and to an unknown one, which is ignored);
/// other types get none.
///
/// Throws cafmq::error (errc::invalid_argument) for the same socket twice, a pair of types with
/// no direction to forward (a PUSH frontend with a PUB backend, two PULLs...), a REQ or REP
/// side or capture (their strict turns would stop the proxy mid-run), a capture that cannot
/// send, or a control that cannot receive or is a REQ or ROUTER. A socket already closed (or its context
/// terminated) when called returns socket_closed at once. A socket must not be in a
/// cafmq::poller meanwhile.
proxy_result proxy(socket& frontend, socket& backend, socket* capture = nullptr,
                   socket* control = nullptr);

/// Throws what proxy() throws for these arguments, without running anything, and
/// errc::socket_closed for a socket already closed.
void check_proxy_arguments(socket& frontend, socket& backend, socket* capture = nullptr,
                           socket* control = nullptr);

/// The STATISTICS reply for `s`: eight uint64 frames (native byte order).
message statistics_message(const proxy_statistics& s);
/// Parses a STATISTICS reply (from cafmq's or libzmq's proxy); nullopt unless eight 8-byte frames.
std::optional<proxy_statistics> parse_statistics(const message& reply);

} // namespace cafmq
