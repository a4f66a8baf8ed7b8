// Paranoid Pirate Protocol (RFC 6, PPP) messages as cafmq::message: the one-byte commands READY
// (0x01) and HEARTBEAT (0x02), and requests/replies that carry a reply envelope (RFC 28) in
// front of the body. Pure: classification and building only, no I/O.
#pragma once

#include "runtime/core/message.hpp"

#include <cstdint>

namespace cafmq::patterns::ppp {

/// RFC 6's command bytes, each alone in a one-frame message.
constexpr uint8_t ready_byte = 0x01;
constexpr uint8_t heartbeat_byte = 0x02;

/// What a PPP message is.
enum class kind : uint8_t {
  ready,      ///< READY: a worker offers itself (worker -> queue only)
  heartbeat,  ///< HEARTBEAT (either direction)
  request,    ///< envelope + body (queue -> worker)
  reply,      ///< envelope + body (worker -> queue)
  malformed,  ///< anything else; see fault
};

/// Why a message is malformed.
enum class fault : uint8_t {
  none,
  empty,            ///< no frame at all
  unknown_command,  ///< one frame that is neither READY nor HEARTBEAT (or READY sent to a worker)
  no_envelope,      ///< several frames without an empty delimiter frame
  no_body,          ///< an envelope with nothing after its delimiter
};

/// A short name for logs and error messages ("unknown_command").
const char* to_string(fault f) noexcept;
const char* to_string(kind k) noexcept;

/// The verdict on one message: its kind, and for request/reply where its body starts (the index
/// of the first frame after the envelope's delimiter).
struct classified {
  kind what = kind::malformed;
  fault why = fault::none;
  size_t body_at = 0;
};

/// Classifies what a worker sent, as the queue sees it after removing the routing id frame the
/// ROUTER put in front: READY, HEARTBEAT, a reply, or malformed.
classified classify_from_worker(const message& m) noexcept;

/// Classifies what the queue sent, as a worker's DEALER receives it: HEARTBEAT, a request, or
/// malformed (READY is not a command a queue sends).
classified classify_from_queue(const message& m) noexcept;

/// The one-frame READY command.
message make_ready();
/// The one-frame HEARTBEAT command.
message make_heartbeat();
/// `m` with a frame copied from `id` put in front: the routing id a ROUTER sends to, or the
/// frames [`routing_id`, frames of `m`...]. Frames are shared, not copied byte by byte.
message prepend(const frame& routing_id, const message& m);
/// The frames of `m` after the first: what remains once a ROUTER's routing id is removed.
message without_first(const message& m);

} // namespace cafmq::patterns::ppp
