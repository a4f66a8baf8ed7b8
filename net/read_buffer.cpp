#include "net/read_buffer.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

namespace cafmq::net {

namespace {

std::atomic<size_t> held_bytes{0};
thread_local bool pools_here = false;  // an I/O thread (use_pool_on_this_thread)

std::vector<std::unique_ptr<uint8_t[]>>& pool() {
  thread_local std::vector<std::unique_ptr<uint8_t[]>> buffers;
  return buffers;
}

std::unique_ptr<uint8_t[]> allocate(size_t n) {
  auto& p = pool();
  if (n == read_buffer::large && !p.empty()) {
    auto b = std::move(p.back());
    p.pop_back();
    return b;
  }
  return std::unique_ptr<uint8_t[]>(new uint8_t[n]);  // uninitialised: bytes are read into it
}

} // namespace

void read_buffer::reserve(size_t n, size_t keep) {
  if (size_ >= n)
    return;
  n = std::max(n, small);
  if (n > small)
    n = std::max(n, large);
  auto b = allocate(n);
  keep = std::min(keep, size_);
  if (keep > 0)
    std::memcpy(b.get(), buf_.get(), keep);
  release();
  buf_ = std::move(b);
  size_ = n;
  held_bytes.fetch_add(n, std::memory_order_relaxed);
}

void read_buffer::release() noexcept {
  held_bytes.fetch_sub(size_, std::memory_order_relaxed);
  if (size_ == large && pools_here && pool().size() < pool_cap) {
    try {
      pool().push_back(std::move(buf_));
    } catch (...) {  // the pool's vector could not grow: free the buffer instead
    }
  }
  buf_.reset();
  size_ = 0;
}

void read_buffer::use_pool_on_this_thread() noexcept {
  pools_here = true;
}

size_t read_buffer::pooled() noexcept {
  return pool().size();
}

size_t read_buffer::held() noexcept {
  return held_bytes.load(std::memory_order_relaxed);
}

} // namespace cafmq::net
