// What the fuzz targets share: an invariant check that crashes (libFuzzer then keeps the input),
// the input read as a ZMTP byte stream (the mechanism targets take their commands as wire frames,
// so seeds are the bytes a peer would send), and a small cursor over the raw bytes.
#pragma once

#include "net/frame_codec.hpp"
#include "runtime/core/zmtp_command.hpp"

#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

/// Crashes with a message naming the broken invariant (a finding, like a sanitizer report).
#define FUZZ_CHECK(cond)                                                                        \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                                        \
    }                                                                                          \
  } while (0)

namespace cafmq::fuzz {

/// One ZMTP frame read from the input.
struct wire_frame {
  uint8_t flags = 0;  ///< net::flag::more / net::flag::command
  bytes body;
};

/// The frames of `data` read as ZMTP 3.x framing, each at most `max` bytes; stops at the first
/// malformed header or at an incomplete frame (the rest is ignored).
inline std::vector<wire_frame> split_frames(const uint8_t* data, size_t size,
                                            uint64_t max = 64 * 1024) {
  std::vector<wire_frame> out;
  net::frame_decoder decoder{max};
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  uint8_t flags = 0;
  frame body;
  while (decoder.next(p, end, flags, body) == net::frame_decoder::result::frame)
    out.push_back({flags, bytes(body.data(), body.data() + body.size())});
  return out;
}

/// Reads the input front to back; past the end everything reads as zero / empty.
class cursor {
public:
  cursor(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const noexcept { return p_ == end_; }
  size_t left() const noexcept { return static_cast<size_t>(end_ - p_); }
  uint8_t byte() noexcept { return p_ == end_ ? 0 : *p_++; }
  /// Up to `n` bytes.
  std::string_view take(size_t n) noexcept {
    if (n > left())
      n = left();
    std::string_view v{reinterpret_cast<const char*>(p_), n};
    p_ += n;
    return v;
  }
  /// A length byte, then that many bytes (fewer at the end).
  std::string_view chunk() noexcept { return take(byte()); }

private:
  const uint8_t* p_;
  const uint8_t* end_;
};

} // namespace cafmq::fuzz
