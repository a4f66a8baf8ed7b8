// One mutex for the whole pool: it is taken once per large frame (16 KiB or more), whose copy
// through the kernel costs microseconds, so contention is no concern.
#include "runtime/core/block_pool.hpp"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace cafmq::block_pool {

namespace {

constexpr size_t per_class_limit = 64;
constexpr size_t total_limit = 32 * 1024 * 1024;
constexpr size_t classes = max_block / granule + 1;

struct pool {
  std::mutex mtx;
  std::vector<void*> free_blocks[classes];
  size_t cached_bytes = 0;
};

pool& the_pool() {
  // Never destroyed: frames may be released by static destructors after main returns.
  static pool* p = new pool;
  return *p;
}

} // namespace

void* take(uint32_t cls) noexcept {
  auto& p = the_pool();
  {
    std::lock_guard<std::mutex> guard{p.mtx};
    auto& list = p.free_blocks[cls];
    if (!list.empty()) {
      void* block = list.back();
      list.pop_back();
      p.cached_bytes -= class_bytes(cls);
      return block;
    }
  }
  return std::malloc(class_bytes(cls));
}

void give(void* block, uint32_t cls) noexcept {
  auto& p = the_pool();
  {
    std::lock_guard<std::mutex> guard{p.mtx};
    auto& list = p.free_blocks[cls];
    if (list.size() < per_class_limit && p.cached_bytes + class_bytes(cls) <= total_limit) {
      try {
        list.push_back(block);
        p.cached_bytes += class_bytes(cls);
        return;
      } catch (...) {
        // no room to remember it: free it below
      }
    }
  }
  std::free(block);
}

} // namespace cafmq::block_pool
