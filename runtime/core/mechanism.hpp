// The seam between the ZMTP engine (net/) and a security mechanism (security/): after the
// greeting, the engine feeds command bodies in and sends the command bodies the mechanism emits.
#pragma once

#include "connection_end.hpp"
#include "frame.hpp"
#include "process_credentials.hpp"
#include "zmtp_command.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cafmq {

/// Why a handshake failed, and what the engine should do about it. Every handshake failure is
/// permanent (the same peer and settings would fail again): the engine closes with
/// permanent_end(code, reason).
struct handshake_failure {
  event_reason code = event_reason::protocol;  ///< set by the mechanism where it fails
  std::string reason;          ///< for the log and the monitor event (peer bytes via peer_text)
  bool send_error = false;     ///< send an ERROR command before closing
  bool peer_said_error = false;///< the peer sent ERROR: do not reconnect with same credentials
  std::string error_reason;    ///< what the ERROR carries, if not `reason` (a ZAP status code)
};

/// The code of a peer's ERROR: auth when its reason is a ZAP status code (300, 400, 500: how a
/// server refuses credentials, RFC 27 and libzmq), else peer_error.
inline event_reason error_command_code(std::string_view reason) noexcept {
  auto starts = [&](std::string_view code) { return reason.substr(0, 3) == code; };
  return starts("300") || starts("400") || starts("500") ? event_reason::auth
                                                         : event_reason::peer_error;
}

/// The detail of a peer's ERROR (its reason escaped), or of a malformed one.
inline std::string error_command_detail(const std::optional<std::string>& reason) {
  return reason ? "peer sent ERROR: " + peer_text(*reason, 255) : "peer sent a malformed ERROR";
}

/// Decides whether a peer may talk to us, from its metadata; nullopt if allowed, else why (code
/// and detail; e.g. incompatible_socket_type).
using peer_validator = std::function<std::optional<connection_end>(const metadata& peer)>;

/// What a server mechanism asks its authenticator about a client (the fields of a ZAP request,
/// RFC 27). The engine fills in what only it knows (address, routing id) before passing it on.
struct auth_request {
  std::string domain;                    ///< ZAP domain of the server socket
  std::string address;                   ///< the client's IP address
  std::string routing_id;                ///< the client's Identity property, if known
  std::string mechanism;                 ///< "NULL", "PLAIN" or "CURVE"
  std::vector<std::string> credentials;  ///< PLAIN: user name, password; CURVE: public key
  /// ipc: the client process's uid, gid and pid (SO_PEERCRED); absent for tcp. `address` is then
  /// "localhost:uid:gid:pid", as libzmq puts it in a ZAP request.
  std::optional<process_credentials> peer_process;
};

/// The authenticator's answer (a ZAP reply, RFC 27).
struct auth_reply {
  int status_code = 500;    ///< 200 allowed, 300 temporary failure, 400 denied, 500 internal error
  std::string status_text;  ///< why, for the log and the monitor event
  std::string user_id;      ///< the authenticated identity (User-Id metadata) when allowed
};

/// Wraps each frame after the handshake (CURVE's MESSAGE command); NULL and PLAIN have none.
/// Encodes straight into the caller's buffer, so the write path allocates nothing per frame.
class frame_cipher {
public:
  virtual ~frame_cipher() = default;
  /// The size of the body that carries a frame of `size` bytes.
  virtual size_t encoded_size(size_t size) const noexcept = 0;
  /// Writes the body carrying one frame with its flags (0x01 MORE, 0x02 COMMAND) to `out`,
  /// encoded_size(size) bytes.
  virtual void encode_into(uint8_t* out, uint8_t flags, const uint8_t* data, size_t size) = 0;
  /// Unwraps a body into `flags` and `payload`; an error text if it must close the connection
  /// (malformed, forged, replayed).
  virtual std::optional<std::string> decode(const uint8_t* body, size_t size, uint8_t& flags,
                                            frame& payload) = 0;
  /// encode_into, as a new buffer.
  bytes encode(uint8_t flags, const uint8_t* data, size_t size) {
    bytes out(encoded_size(size));
    encode_into(out.data(), flags, data, size);
    return out;
  }
};

/// One side of a mechanism handshake (NULL, PLAIN, CURVE) as a sans-I/O state machine.
class mechanism {
public:
  /// Progress after a step.
  enum class status { handshaking, ready, failed };

  virtual ~mechanism() = default;
  /// The 20-byte-padded name in the greeting ("NULL").
  virtual std::string_view name() const noexcept = 0;
  /// The as-server flag for the greeting.
  virtual bool as_server() const noexcept = 0;
  /// Called once after both greetings; may append command bodies to `out`.
  virtual status start(std::vector<bytes>& out) = 0;
  /// A command body arrived during the handshake; may append command bodies to `out`.
  virtual status on_command(const uint8_t* body, size_t size, std::vector<bytes>& out) = 0;
  /// Valid once status is ready: what the peer told us.
  virtual const metadata& peer_metadata() const noexcept = 0;
  /// Valid once status is failed.
  virtual const handshake_failure& failure() const noexcept = 0;

  /// Server mechanisms: after a step that returned handshaking, a request the engine must put to
  /// the authenticator (once); the answer goes to on_auth_reply. Client mechanisms never ask.
  virtual std::optional<auth_request> take_auth_request() { return std::nullopt; }
  /// The authenticator answered; may append command bodies to `out`.
  virtual status on_auth_reply(const auth_reply&, std::vector<bytes>&) { return status::failed; }
  /// Once ready: the cipher every later frame goes through, or nullptr (NULL, PLAIN). Once.
  virtual std::unique_ptr<frame_cipher> take_cipher() { return nullptr; }
  /// Once ready, servers: the identity the authenticator vouched for (its User-Id). Kept apart
  /// from peer_metadata(), which holds only what the peer claims about itself.
  virtual std::string user_id() const { return {}; }
  /// Once ready, CURVE: the peer's permanent public key (32 bytes); empty for other mechanisms.
  virtual std::string peer_public_key() const { return {}; }
};

using mechanism_ptr = std::unique_ptr<mechanism>;

} // namespace cafmq
