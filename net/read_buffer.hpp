// Private to net/: a connection's read buffer, held only while there is something to read. An
// engine takes one when it reads and gives it back when a read leaves it empty and the engine
// goes back to waiting on the socket, so an idle connection holds none. Buffers of `large` bytes
// are kept in a small per-thread pool (each I/O thread runs its own engines), so a busy connection
// that drains its socket between bursts takes back a warm buffer, not a fresh allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace cafmq::net {

class read_buffer {
public:
  /// A connection's size once its handshake is done.
  static constexpr size_t large = 64 * 1024;
  /// Before it: the greeting and handshake commands (frames larger than this stream through the
  /// decoder, which copies each body out as it arrives).
  static constexpr size_t small = 512;
  /// Large buffers an I/O thread keeps for its next reads, at most.
  static constexpr size_t pool_cap = 8;

  read_buffer() = default;
  ~read_buffer() { release(); }
  read_buffer(const read_buffer&) = delete;
  read_buffer& operator=(const read_buffer&) = delete;

  uint8_t* data() noexcept { return buf_.get(); }
  size_t size() const noexcept { return size_; }

  /// Makes the buffer at least `n` bytes, keeping its first `keep` bytes.
  void reserve(size_t n, size_t keep);
  /// Gives the buffer back (to the pool if large and it has room); size() is 0 after.
  void release() noexcept;

  /// Lets this thread keep released large buffers in its pool (an I/O thread, at its start); on
  /// any other thread a released buffer is freed.
  static void use_pool_on_this_thread() noexcept;
  /// Large buffers in this thread's pool now (for tests).
  static size_t pooled() noexcept;
  /// Bytes of read buffers held by connections in this process now, pools left out (for tests).
  static size_t held() noexcept;

private:
  std::unique_ptr<uint8_t[]> buf_;
  size_t size_ = 0;
};

} // namespace cafmq::net
