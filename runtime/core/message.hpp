// A ZeroMQ message: one or more frames delivered atomically (all or none). A one-frame message
// carries its frame inline, so small single-part messages never allocate.
#pragma once

#include "frame.hpp"

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <string_view>
#include <vector>

namespace cafmq {

/// A multipart message; frames keep their order.
class message {
public:
  message() noexcept = default;
  /// A one-frame message.
  // cppcheck-suppress passedByValue ; a sink parameter, moved into head_
  explicit message(frame f) noexcept : head_(std::move(f)), count_(1) {}
  message(const message& other) : head_(other.head_) {
    try {
      copy_tail_from(other);
    } catch (...) {
      free_tail();
      throw;
    }
  }
  message& operator=(const message& other) {
    if (this != &other) {
      message copy{other};
      *this = std::move(copy);
    }
    return *this;
  }
  /// Moving leaves `other` empty (zero frames), ready for reuse.
  message(message&& other) noexcept
    : head_(std::move(other.head_)), tail_(other.tail_), count_(other.count_),
      tail_capacity_(other.tail_capacity_) {
    other.forget_tail();
  }
  message& operator=(message&& other) noexcept {
    if (this != &other) {
      free_tail();
      head_ = std::move(other.head_);
      tail_ = other.tail_;
      count_ = other.count_;
      tail_capacity_ = other.tail_capacity_;
      other.forget_tail();
    }
    return *this;
  }
  ~message() { free_tail(); }

  /// A one-frame message copying `text`.
  explicit message(std::string_view text) : message(frame{text}) {}
  /// A multipart message copying each string as one frame.
  message(std::initializer_list<std::string_view> parts) : message() {  // destroyed if add throws
    for (auto p : parts)
      add(frame{p});
  }

  /// Appends a frame at the end.
  void add(frame f) {
    if (count_ > 0) {
      if (count_ - 1 == tail_capacity_)
        grow_tail();
      new (&tail_[count_ - 1]) frame(std::move(f));
    } else {
      head_ = std::move(f);
    }
    ++count_;
  }
  /// Replaces the content with one frame copied from `data` (inline when it fits: no allocation).
  void assign(const void* data, size_t size) {
    destroy_tail_frames();
    head_.assign(data, size);
    count_ = 1;
  }
  /// Number of frames.
  size_t size() const noexcept { return count_; }
  /// True when the message has no frame at all.
  bool empty() const noexcept { return count_ == 0; }
  /// Moves the frames out into `out` (appending); the message becomes empty.
  void take_frames(std::vector<frame>& out) {
    if (count_ > 0)
      out.push_back(std::move(head_));
    for (size_t i = 0; i + 1 < count_; ++i)
      out.push_back(std::move(tail_[i]));
    clear();
  }
  /// Frame `i` (0-based).
  const frame& operator[](size_t i) const noexcept { return i == 0 ? head_ : tail_[i - 1]; }
  /// Sum of the frame sizes in bytes.
  size_t byte_size() const noexcept {
    size_t n = count_ == 0 ? 0 : head_.size();
    for (size_t i = 0; i + 1 < count_; ++i)
      n += tail_[i].size();
    return n;
  }
  /// Removes every frame (keeps the room for later frames, for reuse).
  void clear() noexcept {
    head_ = frame{};
    destroy_tail_frames();
    count_ = 0;
  }

  friend bool operator==(const message& a, const message& b) noexcept {
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i])
        return false;
    return true;
  }

private:
  // Frames after the first live in a malloc'd array (frames are trivially relocatable, so it
  // grows with memcpy). 48 bytes in all: a ring slot keeps a message and its sequence number in
  // one cache line.
  void grow_tail();
  void copy_tail_from(const message& other);
  void destroy_tail_frames() noexcept {
    for (size_t i = 0; i + 1 < count_; ++i)
      tail_[i].~frame();
    if (count_ > 1)
      count_ = 1;
  }
  void free_tail() noexcept {
    destroy_tail_frames();
    if (tail_ != nullptr)
      // The analyzer destroys std::optional<message>'s payload twice (union members, LLVM #119415).
      std::free(tail_);  // NOLINT(clang-analyzer-unix.Malloc)
  }
  void forget_tail() noexcept {
    tail_ = nullptr;
    count_ = 0;
    tail_capacity_ = 0;
  }

  frame head_;
  frame* tail_ = nullptr;
  uint32_t count_ = 0;
  uint32_t tail_capacity_ = 0;
};

} // namespace cafmq
