// One ZeroMQ message part: small payloads inline (no allocation), larger ones in a ref-counted
// buffer, optionally wrapping a user buffer zero-copy with a deleter.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cafmq {

/// Called once the last frame referring to a zero-copy user buffer is gone.
using free_fn = void (*)(void* data, void* hint);

/// Heap block shared by frames that copy each other; the bytes follow the header or live in a user
/// buffer.
struct shared_buffer {
  std::atomic<uint32_t> refs{1};
  uint32_t pool_class = 0;      ///< block_pool size class of this block, 0 when from malloc
  uint8_t* data = nullptr;
  free_fn free_user = nullptr;  ///< set for zero-copy user buffers
  void* hint = nullptr;
};

/// A frame: immutable bytes once built, cheap to copy (inline copy or a ref-count increment).
class frame {
public:
  /// Payloads up to this size live inside the frame itself.
  static constexpr size_t inline_capacity = 30;
  /// Bytes readable from data() of an inline frame (a fixed-size copy may take them all).
  static constexpr size_t inline_bytes = 32;

  frame() noexcept = default;
  /// Copies `size` bytes.
  frame(const void* data, size_t size);
  /// Copies the bytes of `text`.
  explicit frame(std::string_view text) : frame(text.data(), text.size()) {}
  /// Replaces the bytes with a copy of `size` bytes like frame(data, size), but reads
  /// frame::inline_bytes bytes from `data` when they fit inline: two 16-byte moves, each later
  /// read whole (byte-wise writes would stall the moves that carry the frame on to its ring).
  /// The caller guarantees that many bytes are readable.
  void assign_with_slack(const void* data, size_t size) {
    if (size > inline_capacity) {
      *this = frame(data, size);
      return;
    }
    release();
#if defined(__SSE2__)
    auto* src = static_cast<const __m128i*>(data);
    __m128i low = _mm_loadu_si128(src);
    // Bytes 30 and 31 of the frame are the size and the "shared" flag (false).
    __m128i high = _mm_insert_epi16(_mm_loadu_si128(src + 1), static_cast<int>(size), 7);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes_), low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes_ + 16), high);
#else
    std::memcpy(bytes_, data, inline_capacity);
    small_size_ = static_cast<uint8_t>(size);
    is_shared_ = false;
#endif
  }
  /// Wraps a user buffer without copying; `free` runs when the last copy is gone.
  static frame zero_copy(void* data, size_t size, free_fn free, void* hint = nullptr);
  /// A frame of `size` uninitialised bytes to be filled through `mutable_data()` before sharing.
  static frame uninitialized(size_t size);

  frame(const frame& other) noexcept { copy_from(other); }
  frame(frame&& other) noexcept { steal_from(other); }
  frame& operator=(const frame& other) noexcept {
    if (this != &other) {
      release();
      copy_from(other);
    }
    return *this;
  }
  frame& operator=(frame&& other) noexcept {
    if (this != &other) {
      release();
      steal_from(other);
    }
    return *this;
  }
  ~frame() { release(); }

  /// The bytes.
  const uint8_t* data() const noexcept { return is_shared_ ? big().data : bytes_; }
  /// Writable bytes; only valid while the frame is not shared (right after construction).
  uint8_t* mutable_data() noexcept { return is_shared_ ? big().data : bytes_; }
  /// Number of bytes.
  size_t size() const noexcept { return is_shared_ ? big().size : small_size_; }
  /// True when the bytes live inside the frame (then inline_bytes are readable from data()); a
  /// shared or zero-copy frame is never inline, however small.
  bool is_inline() const noexcept { return !is_shared_; }
  /// True for zero bytes.
  bool empty() const noexcept { return size() == 0; }
  /// The bytes as a string view.
  std::string_view view() const noexcept {
    return {reinterpret_cast<const char*>(data()), size()};
  }
  /// The bytes copied into a string.
  std::string to_string() const { return std::string(view()); }

  friend bool operator==(const frame& a, const frame& b) noexcept { return a.view() == b.view(); }
  friend bool operator!=(const frame& a, const frame& b) noexcept { return !(a == b); }

private:
  // Both representations are trivially relocatable: copying the bytes moves a frame.
  void copy_from(const frame& other) noexcept {
    std::memcpy(static_cast<void*>(this), &other, sizeof(frame));
    if (is_shared_)
      big().buf->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void steal_from(frame& other) noexcept {
    std::memcpy(static_cast<void*>(this), &other, sizeof(frame));
    other.is_shared_ = false;
    other.small_size_ = 0;
  }
  void release() noexcept {
    if (is_shared_)
      release_shared();
  }
  void release_shared() noexcept;

  struct shared_rep {
    shared_buffer* buf;
    uint8_t* data;
    size_t size;
  };
  // The shared representation lives in the inline bytes (read and written through memcpy, which
  // compiles to plain loads and stores): a frame is 32 bytes, so a message is one cache line.
  shared_rep big() const noexcept {
    shared_rep r;
    std::memcpy(&r, bytes_, sizeof r);
    return r;
  }
  void set_big(const shared_rep& r) noexcept {
    std::memcpy(bytes_, &r, sizeof r);
    is_shared_ = true;
  }
  static_assert(sizeof(shared_rep) <= inline_capacity);
  friend struct frame_layout_check;

  alignas(8) uint8_t bytes_[inline_capacity] = {};
  uint8_t small_size_ = 0;
  bool is_shared_ = false;
};

/// inline_bytes holds: data() of an inline frame points at the start of the 32-byte object.
struct frame_layout_check {
  static_assert(offsetof(frame, bytes_) == 0 && sizeof(frame) == frame::inline_bytes);
  static_assert(offsetof(frame, small_size_) == 30 && offsetof(frame, is_shared_) == 31,
                "assign_with_slack writes the size and flag as bytes 30 and 31");
};

} // namespace cafmq
