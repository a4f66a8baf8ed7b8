// A ZeroMQ message: one or more frames delivered atomically (all or none). A one-frame message
// carries its frame inline, so small single-part messages never allocate.
#pragma once

#include "runtime/core/frame.hpp"

#include <initializer_list>
#include <string_view>
#include <vector>

namespace cafmq {

/// A multipart message; frames keep their order.
class message {
public:
  message() = default;
  /// A one-frame message.
  explicit message(frame f) : head_(std::move(f)), count_(1) {}
  message(const message&) = default;
  message& operator=(const message&) = default;
  /// Moving leaves `other` empty (zero frames), ready for reuse.
  message(message&& other) noexcept
    : head_(std::move(other.head_)), tail_(std::move(other.tail_)), count_(other.count_) {
    other.tail_.clear();
    other.count_ = 0;
  }
  message& operator=(message&& other) noexcept {
    head_ = std::move(other.head_);
    tail_ = std::move(other.tail_);
    count_ = other.count_;
    other.tail_.clear();
    other.count_ = 0;
    return *this;
  }
  /// A one-frame message copying `text`.
  explicit message(std::string_view text) : message(frame{text}) {}
  /// A multipart message copying each string as one frame.
  message(std::initializer_list<std::string_view> parts) {
    for (auto p : parts)
      add(frame{p});
  }

  /// Appends a frame at the end.
  void add(frame f) {
    if (count_ == 0)
      head_ = std::move(f);
    else
      tail_.push_back(std::move(f));
    ++count_;
  }
  /// Number of frames.
  size_t size() const noexcept { return count_; }
  /// True when the message has no frame at all.
  bool empty() const noexcept { return count_ == 0; }
  /// Moves the frames out into `out` (appending); the message becomes empty.
  void take_frames(std::vector<frame>& out) {
    if (count_ > 0)
      out.push_back(std::move(head_));
    for (auto& f : tail_)
      out.push_back(std::move(f));
    tail_.clear();
    count_ = 0;
  }
  /// Frame `i` (0-based).
  const frame& operator[](size_t i) const noexcept { return i == 0 ? head_ : tail_[i - 1]; }
  /// Sum of the frame sizes in bytes.
  size_t byte_size() const noexcept {
    size_t n = count_ == 0 ? 0 : head_.size();
    for (auto& f : tail_)
      n += f.size();
    return n;
  }
  /// Removes every frame.
  void clear() noexcept {
    head_ = frame{};
    tail_.clear();
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
  frame head_;
  std::vector<frame> tail_;
  size_t count_ = 0;
};

} // namespace cafmq
