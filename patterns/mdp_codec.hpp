// Majordomo Protocol MDP/0.1 (RFC 7) messages as cafmq::message: parsing, with a reason for
// every malformed message, and building, for the broker, the worker and the client. Pure: no
// I/O. Frames are copied (a reference count for large ones), never their bytes.
//
// The frames (RFC 7), as each side's socket sees them:
//   client REQ  -> broker ROUTER: [client address...] "" "MDPC01" service body...
//   broker ROUTER -> client:      [client address...] "" "MDPC01" service body...
//   worker DEALER <-> broker ROUTER: [worker address...] "" "MDPW01" command ...
//     READY 0x01: service        REQUEST 0x02 / REPLY 0x03: client address... "" body...
//     HEARTBEAT 0x04, DISCONNECT 0x05: nothing more
// An address is the envelope stack: every frame before the first empty one (one routing id when
// the peers are connected directly, more through a proxy).
#pragma once

#include "runtime/core/message.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace cafmq::patterns::mdp {

/// The protocol frame of a client's messages.
inline constexpr std::string_view client_protocol = "MDPC01";
/// The protocol frame of a worker's messages.
inline constexpr std::string_view worker_protocol = "MDPW01";

/// The worker commands (RFC 7), as their one-byte frame.
enum class command : uint8_t { ready = 1, request = 2, reply = 3, heartbeat = 4, disconnect = 5 };

/// The command's name ("READY", ...).
const char* command_name(command c) noexcept;

/// Why a message is not valid MDP/0.1 for its reader; set where it is found.
enum class fault : uint8_t {
  none = 0,
  too_few_frames,     ///< shorter than its protocol or command needs
  missing_delimiter,  ///< no empty frame before the protocol frame or after a client address
  unknown_protocol,   ///< the protocol frame is neither MDPC01 nor MDPW01, or not the reader's
  unknown_command,    ///< the command frame is not one byte of 0x01..0x05
  wrong_direction,    ///< a command this reader never receives (REQUEST at a broker, ...)
  empty_service,      ///< a READY or a client message with an empty service name
  missing_address,    ///< a REQUEST or REPLY without the client address
  unexpected_frames,  ///< frames after READY's service or after HEARTBEAT / DISCONNECT
};

/// A one-line description of `f` ("no empty frame before the protocol frame").
const char* fault_text(fault f) noexcept;

/// A client request or reply: the service name and the body's frames.
struct client_message {
  std::string service;
  message body;
};

/// A worker command: READY's service; REQUEST's and REPLY's client address (its frames, without
/// the empty delimiter) and body.
struct worker_message {
  command cmd = command::heartbeat;
  std::string service;
  message client;
  message body;
};

/// What a broker's ROUTER receives: the sender's address, then either a client request or a
/// worker command (READY, REPLY, HEARTBEAT, DISCONNECT).
struct broker_inbound {
  message sender;
  bool from_worker = false;
  client_message client;  ///< when !from_worker
  worker_message worker;  ///< when from_worker
};

/// A message received by a broker's ROUTER. Clears and fills `out`; fault::none if valid.
fault parse_broker_inbound(const message& in, broker_inbound& out);
/// A message received by a worker's DEALER: "" "MDPW01" command ...; REQUEST, HEARTBEAT or
/// DISCONNECT. Clears and fills `out`.
fault parse_worker_inbound(const message& in, worker_message& out);
/// A reply received by a client: "" "MDPC01" service body... on a DEALER (`dealer`), the same
/// without the first empty frame on a REQ (which strips it). Clears and fills `out`.
fault parse_client_reply(const message& in, bool dealer, client_message& out);

/// A client's request for `service`: with the leading empty frame when sent from a DEALER.
message client_request(std::string_view service, const message& body, bool dealer);
/// A worker's READY for `service`.
message worker_ready(std::string_view service);
/// A worker's REPLY to the client at `client` (as the REQUEST gave it).
message worker_reply(const message& client, const message& body);
/// A worker's HEARTBEAT or DISCONNECT (no more frames).
message worker_signal(command c);

/// From a broker's ROUTER to the worker at `worker`: a REQUEST from `client`.
message broker_request(const message& worker, const message& client, const message& body);
/// From a broker's ROUTER to the worker at `worker`: a HEARTBEAT or DISCONNECT.
message broker_signal(const message& worker, command c);
/// From a broker's ROUTER to the client at `client`: a reply from `service`.
message broker_reply(const message& client, std::string_view service, const message& body);

} // namespace cafmq::patterns::mdp
