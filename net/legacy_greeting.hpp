// The greeting exchange with downgrade to ZMTP 2.0 (RFC 15) and 1.0 (RFC 13), as libzmq 4.3 does it
// (RFC 23 §Version Negotiation). Sans-I/O: peer bytes in, our bytes due out.
//
// When downgrade is allowed (NULL mechanism), our greeting goes out in steps: the 10-byte
// signature (0xFF, be64(identity size + 1), 0x7F: a ZMTP 1.0 peer reads it as the header of our
// identity frame); the major version 3 once the peer's signature shows a versioned peer; then,
// after the peer's revision byte, either our socket-type byte and ZMTP 2.0/1.0 identity frame
// (revision 0x00 or 0x01) or the rest of the 64-byte 3.x greeting (revision >= 3). An
// unversioned peer (first byte not 0xFF, or byte 9's bit 0 clear) speaks ZMTP 1.0: its first bytes
// are its identity frame, and we send our identity after the signature.
// Otherwise (PLAIN, CURVE, a ZAP domain) the whole 64-byte greeting goes out at once and a legacy
// peer is refused: a downgrade would skip the security (CVE-2014-9721).
#pragma once

#include "net/frame_codec.hpp"
#include "net/greeting.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cafmq::net {

/// What we are, for the greeting.
struct greeting_plan {
  std::string mechanism = "NULL";
  bool as_server = false;
  /// Empty: downgrade allowed. Else why not ("this socket uses PLAIN"): legacy peers are refused.
  std::string no_downgrade_because;
  std::string identity;     ///< our routing id, sent to legacy peers (at most 255 bytes)
  uint8_t socket_type = 0;  ///< our ZMTP 2.0 socket-type byte (libzmq's ZMQ_* number)
};

/// The ZMTP version the greeting settled on.
enum class zmtp_version : uint8_t { v1_unversioned, v1, v2, v3 };

/// The outcome of the exchange so far.
struct greeting_result {
  greeting_check check;                    ///< need_more, ok or failed (with why)
  zmtp_version version = zmtp_version::v3; ///< once ok
  int peer_socket_type = -1;               ///< once ok, v1/v2: the peer's byte (-1: unversioned)
};

/// One connection's greeting exchange.
class greeting_exchange {
public:
  explicit greeting_exchange(greeting_plan plan);

  /// Our bytes due now and not yet taken; each byte is handed out once.
  std::vector<uint8_t> take_due();
  /// How many more peer bytes the exchange reads now (0 once decided): never more than the
  /// peer's greeting, so no frame bytes are taken (but an unversioned peer's, see peer_bytes).
  size_t wanted() const noexcept;
  /// Feeds up to wanted() peer bytes; returns the judgement so far.
  const greeting_result& feed(const uint8_t* data, size_t size);
  const greeting_result& result() const noexcept { return result_; }
  /// The peer bytes fed so far. For an unversioned peer they begin its identity frame: the caller
  /// decodes them with ZMTP 1.0 framing before what follows.
  const std::vector<uint8_t>& peer_bytes() const noexcept { return peer_; }
  /// The framing of the settled version.
  framing frame_format() const noexcept;

private:
  bool downgrade() const noexcept { return plan_.no_downgrade_because.empty(); }
  void judge();
  void settle(zmtp_version v, int peer_type);
  void fail(std::string why, event_reason code = event_reason::protocol);
  void refuse_downgrade(const std::string& peer);

  greeting_plan plan_;
  std::vector<uint8_t> ours_;  // our whole preamble; grows once the peer's version is known
  size_t due_ = 0;             // bytes of ours_ due by now
  size_t taken_ = 0;           // bytes of ours_ handed out
  std::vector<uint8_t> peer_;
  greeting_result result_;
};

/// The ZMTP 2.0 socket-type byte's name ("PUSH"), or empty for a byte no socket type has.
std::string_view legacy_socket_type_name(int type) noexcept;

} // namespace cafmq::net
