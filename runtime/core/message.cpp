// The out-of-line half of a message: growing and copying the array of frames after the first.
#include "runtime/core/message.hpp"

#include <cstring>

namespace cafmq {

void message::grow_tail() {
  uint32_t capacity = tail_capacity_ == 0 ? 4 : tail_capacity_ * 2;
  auto* bigger = static_cast<frame*>(std::malloc(capacity * sizeof(frame)));
  if (bigger == nullptr)
    throw std::bad_alloc{};
  if (count_ > 1)  // relocation: the old copies are abandoned, not destroyed
    std::memcpy(static_cast<void*>(bigger), static_cast<const void*>(tail_),
                (count_ - 1) * sizeof(frame));
  std::free(tail_);
  tail_ = bigger;
  tail_capacity_ = capacity;
}

void message::copy_tail_from(const message& other) {
  count_ = other.count_ > 0 ? 1 : 0;
  for (size_t i = 0; i + 1 < other.count_; ++i)
    add(other.tail_[i]);
}

} // namespace cafmq
