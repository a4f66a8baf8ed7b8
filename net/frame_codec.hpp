// ZMTP frames (RFC 23 §Framing): flags + 1- or 8-byte size + body. The decoder enforces the size
// limit before allocating and never allocates for bodies up to frame::inline_capacity.
#pragma once

#include "runtime/core/frame.hpp"
#include "runtime/core/monitor_event.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace cafmq::net {

/// Frame flag bits.
namespace flag {
constexpr uint8_t more = 0x01;
constexpr uint8_t long_size = 0x02;
constexpr uint8_t command = 0x04;
} // namespace flag

/// Largest header: flags + 8-byte size.
constexpr size_t max_frame_header = 9;
/// Largest ZMTP 1.0 header: 0xFF + 8-byte length + flags.
constexpr size_t max_zmtp1_header = 10;

/// Writes a header for a body of `size` bytes into `out`; picks the long form only above 255
/// bytes. `flags` holds more/command bits. Returns 2 or 9.
size_t write_frame_header(uint8_t* out, uint8_t flags, uint64_t size) noexcept;

/// The framing a peer speaks: ZMTP 3.x (RFC 23), 2.0 (RFC 15: no COMMAND bit, other bits
/// reserved) or 1.0 (RFC 13: length first, counting the flags byte, then flags with MORE only).
enum class framing : uint8_t { zmtp3, zmtp2, zmtp1 };

/// A byte as "0x4F", for error texts that quote a peer's bytes.
std::string hex_byte(uint8_t b);

/// Writes a ZMTP 1.0 header (RFC 13) for a body of `size` bytes: the length (size + 1, counting
/// the flags byte) in 1 byte below 255, else 0xFF and 8 bytes; then the flags (MORE only).
/// Returns 2 or 10.
size_t write_zmtp1_header(uint8_t* out, uint8_t flags, uint64_t size) noexcept;

/// Incremental frame decoder: bytes in, whole frames out.
class frame_decoder {
public:
  enum class result { need_more, frame, error };

  /// Frames larger than `max_frame_size` bytes are an error (checked before allocating).
  explicit frame_decoder(uint64_t max_frame_size) : max_(max_frame_size) {}
  /// Changes the limit, e.g. from the pre-handshake cap to maxmsgsize.
  void set_max_frame_size(uint64_t n) noexcept { max_ = n; }
  /// Switches to a legacy peer's framing (between frames only): reserved flag bits are then
  /// refused, and 1.0 headers put the length first.
  void set_framing(framing f) noexcept;

  /// Consumes bytes from `p` (advancing it) until one frame is complete (returns frame; `flags`
  /// holds the more/command bits and `body` the bytes), the input runs out (need_more), or the
  /// input is malformed (error; error_text() says why; the decoder stays failed).
  result next(const uint8_t*& p, const uint8_t* end, uint8_t& flags, frame& body);

  /// While inside a body that is not complete: the bytes still to fill, so the caller can read
  /// from the socket straight into it. {nullptr, 0} otherwise.
  std::pair<uint8_t*, size_t> direct_target() noexcept;
  /// The caller wrote `n` bytes into direct_target(); a completed body is returned by the next
  /// call to next(), even with empty input.
  void direct_filled(size_t n) noexcept;
  /// The whole size of the body direct_target() points into (meaningful only while it does).
  uint64_t body_size() const noexcept { return body_size_; }

  /// True between frames (no header or body half read): the caller may consume whole frames
  /// itself before calling next() again.
  bool between_frames() const noexcept { return state_ == state::flags; }

  /// Why decoding failed.
  const std::string& error_text() const noexcept { return error_; }
  /// The code of the failure: resource when a body could not be allocated, else protocol.
  event_reason error_code() const noexcept { return error_code_; }

private:
  bool accept_size(uint64_t n) {
    return ((n >> 63) == 0 && n <= max_) || reject_size(n);
  }
  bool reject_size(uint64_t n);
  bool begin_body(uint64_t n);
  result reject_flags(uint8_t raw);
  result next_zmtp1_header(const uint8_t*& p, const uint8_t* end);

  uint64_t max_;
  std::string error_;
  event_reason error_code_ = event_reason::protocol;
  // parsing state: implementation-defined
  enum class state { flags, size, body, zmtp1_header, failed } state_ = state::flags;
  state header_state_ = state::flags;  // where a frame starts: flags (3.x, 2.0) or zmtp1_header
  uint8_t reserved_ = 0;               // flag bits refused (2.0, 1.0); none on 3.x (lenient)
  uint8_t flags_ = 0;
  uint8_t size_bytes_[8] = {};
  size_t size_have_ = 0;
  size_t size_need_ = 0;
  frame body_;
  uint64_t body_size_ = 0;
  uint64_t body_have_ = 0;
};

} // namespace cafmq::net
