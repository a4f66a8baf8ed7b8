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
  frame(const void* data, size_t size) {
    if (size <= inline_capacity)
      assign_small(static_cast<const uint8_t*>(data), size);
    else
      init_shared(data, size);
  }
  /// Copies the bytes of `text`.
  explicit frame(std::string_view text) : frame(text.data(), text.size()) {}
  /// Replaces the bytes with a copy of `size` bytes (what frame(data, size) builds).
  void assign(const void* data, size_t size) {
    if (size > inline_capacity) {
      *this = frame(data, size);
      return;
    }
    release();
    assign_small(static_cast<const uint8_t*>(data), size);
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
    // NOLINTNEXTLINE(bugprone-undefined-memory-manipulation): relocatable by design (above)
    std::memcpy(static_cast<void*>(this), &other, sizeof(frame));
    if (is_shared_)
      big().buf->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void steal_from(frame& other) noexcept {
    // NOLINTNEXTLINE(bugprone-undefined-memory-manipulation): relocatable by design (above)
    std::memcpy(static_cast<void*>(this), &other, sizeof(frame));
    other.is_shared_ = false;
    other.small_size_ = 0;
  }
  void release() noexcept {
    if (is_shared_)
      release_shared();
  }
  void release_shared() noexcept;
  void init_shared(const void* data, size_t size);

  // Writes an inline frame as two 16-byte stores, reading nothing outside [p, p + n). The moves
  // that carry a frame on to its ring load the same two halves, so each load is served from its
  // store; a byte-wise copy here would stall every one of them (store-to-load forwarding fails).
  void assign_small(const uint8_t* p, size_t n) noexcept {
#if defined(__SSE2__)
    uint64_t a, b, c, d;
    if (n <= 16) {
      load_upto16(p, n, a, b);
      c = d = 0;
    } else {
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + 8, 8);
      load_upto16(p + 16, n - 16, c, d);
    }
    d |= uint64_t{n} << 48;  // byte 30: small_size_; byte 31: is_shared_ = false
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes_),
                     _mm_set_epi64x(static_cast<long long>(b), static_cast<long long>(a)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes_ + 16),
                     _mm_set_epi64x(static_cast<long long>(d), static_cast<long long>(c)));
#else
    std::memcpy(bytes_, p, n);
    small_size_ = static_cast<uint8_t>(n);
    is_shared_ = false;
#endif
  }
  // Up to 16 bytes from [p, p + n) as two little-endian words, zero-filled, with overlapping
  // loads that stay inside the range.
  static void load_upto16(const uint8_t* p, size_t n, uint64_t& a, uint64_t& b) noexcept {
    auto load64 = [](const uint8_t* q) {
      uint64_t v;
      std::memcpy(&v, q, 8);
      return v;
    };
    auto load32 = [](const uint8_t* q) {
      uint32_t v;
      std::memcpy(&v, q, 4);
      return uint64_t{v};
    };
    b = 0;
    if (n >= 8) {
      a = load64(p);
      if (n > 8)
        b = load64(p + n - 8) >> (8 * (16 - n));
    } else if (n >= 4) {
      a = load32(p) | (load32(p + n - 4) << (8 * (n - 4)));
    } else if (n > 0) {
      a = uint64_t{p[0]} | (uint64_t{p[n / 2]} << (8 * (n / 2))) | (uint64_t{p[n - 1]} << (8 * (n - 1)));
    } else {
      a = 0;
    }
  }

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
                "assign_small writes the size and flag as bytes 30 and 31");
};

} // namespace cafmq
