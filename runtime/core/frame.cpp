// Frame storage: inline bytes or a ref-counted block (header and bytes in one allocation).
#include "runtime/core/frame.hpp"

#include "runtime/core/block_pool.hpp"

#include <cstdint>

#include <cstdlib>
#include <new>

namespace cafmq {

namespace {

shared_buffer* allocate_block(size_t size) {
  if (size > SIZE_MAX - sizeof(shared_buffer))
    throw std::bad_alloc{};
  size_t total = sizeof(shared_buffer) + size;
  uint32_t cls = block_pool::class_of(total);
  void* mem = cls != 0 ? block_pool::take(cls) : std::malloc(total);
  if (mem == nullptr)
    throw std::bad_alloc{};
  // cppcheck-suppress legacyUninitvar ; cppcheck misreads placement new: buf is its result
  auto* buf = new (mem) shared_buffer{};
  buf->pool_class = cls;
  buf->data = reinterpret_cast<uint8_t*>(buf + 1);
  return buf;
}

} // namespace

void frame::init_shared(const void* data, size_t size) {
  auto* buf = allocate_block(size);
  std::memcpy(buf->data, data, size);
  set_big({buf, buf->data, size});
}

frame frame::zero_copy(void* data, size_t size, free_fn free, void* hint) {
  frame f;
  auto* buf = allocate_block(0);
  buf->data = static_cast<uint8_t*>(data);
  buf->free_user = free;
  buf->hint = hint;
  f.set_big({buf, buf->data, size});
  return f;
}

frame frame::uninitialized(size_t size) {
  frame f;
  if (size <= inline_capacity) {
    f.small_size_ = static_cast<uint8_t>(size);
    return f;
  }
  auto* buf = allocate_block(size);
  f.set_big({buf, buf->data, size});
  return f;
}

void frame::release_shared() noexcept {
  auto* buf = big().buf;
  is_shared_ = false;
  small_size_ = 0;
  if (buf->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  if (buf->free_user != nullptr)
    buf->free_user(buf->data, buf->hint);
  uint32_t cls = buf->pool_class;
  buf->~shared_buffer();
  if (cls != 0)
    block_pool::give(buf, cls);
  else
    std::free(buf);
}

} // namespace cafmq
