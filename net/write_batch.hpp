// A gathered write: frame headers and small bodies copied into one arena, large bodies referenced
// in place (zero-copy), so one writev carries many messages.
#pragma once

#include "net/frame_codec.hpp"
#include "runtime/core/mechanism.hpp"
#include "runtime/core/message.hpp"
#include "runtime/core/zmtp_command.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace cafmq::net {

/// Builds one batch; the pieces stay valid until clear().
class write_batch {
public:
  /// Bodies larger than this are not copied.
  static constexpr size_t copy_limit = 8 * 1024;

  write_batch() : arena_(new uint8_t[288 * 1024]), capacity_(288 * 1024) {}

  /// Appends every frame of `m` (MORE on all but the last).
  void add_message(const message& m);
  /// Appends a command frame carrying `body`.
  void add_command(const bytes& body);
  /// Appends every frame of `m` wrapped by `cipher` (CURVE MESSAGE), each in a frame of its
  /// own without MORE or COMMAND flags, as libzmq sends them (protocol-reference.md §2.2).
  void add_message(const message& m, frame_cipher& cipher);
  /// Appends a command wrapped by `cipher` (inner flag 0x02: COMMAND).
  void add_command(const bytes& body, frame_cipher& cipher);
  /// Appends raw bytes (the greeting).
  void add_raw(const uint8_t* data, size_t size);
  /// Appends the bytes of `f` with no frame header (STREAM's raw TCP): copied up to copy_limit,
  /// referenced in place beyond.
  void add_raw_frame(const frame& f);

  /// Bytes in the batch.
  size_t size() const noexcept { return total_; }
  bool empty() const noexcept { return total_ == 0; }
  /// Calls `fn(ptr, len)` for each contiguous piece, in order.
  template <class F>
  void for_each_piece(F&& fn) const {
    size_t arena_pos = 0;
    for (auto& s : segments_) {
      if (s.held < 0) {
        fn(arena_.get() + arena_pos, s.size);
        arena_pos += s.size;
      } else {
        auto& f = held_[static_cast<size_t>(s.held)];
        fn(f.data(), f.size());
      }
    }
  }
  /// Forgets everything (releases held frames).
  void clear() noexcept {
    used_ = 0;
    held_.clear();
    segments_.clear();
    total_ = 0;
  }

private:
  struct segment {
    long held;    // index into held_, or -1 for the next `size` bytes of the arena
    size_t size;
  };
  void append_arena(const uint8_t* data, size_t size);
  void commit_arena(size_t size);  // the next `size` reserved arena bytes are written: count them
  void add_frame(const frame& f, uint8_t flags);
  void add_wrapped(frame_cipher& cipher, uint8_t inner_flags, const uint8_t* data, size_t size);
  uint8_t* reserve(size_t n);  // room for n more arena bytes (no zero-fill, grows by doubling)

  std::unique_ptr<uint8_t[]> arena_;
  size_t capacity_;
  size_t used_ = 0;
  std::vector<frame> held_;
  std::vector<segment> segments_;
  size_t total_ = 0;
};

} // namespace cafmq::net
