// Recycles the heap blocks of large frames (16 KiB to 4 MiB). A stream of large messages then
// reuses warm memory: glibc gives freed memory of thread arenas back to the kernel, and every
// fresh block costs a page fault per 4 KiB on first touch. Bounded: at most 64 blocks per size
// and 32 MiB cached in all; past that, blocks go back to malloc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cafmq::block_pool {

/// Pooled block sizes are rounded up to a multiple of this.
constexpr size_t granule = 4096;
constexpr size_t min_block = 16 * 1024;
constexpr size_t max_block = 4 * 1024 * 1024;

/// The size class for a block of `bytes` (its size in granules), or 0 when not pooled.
inline uint32_t class_of(size_t bytes) noexcept {
  if (bytes < min_block || bytes > max_block)
    return 0;
  return static_cast<uint32_t>((bytes + granule - 1) / granule);
}

/// Bytes of a block of class `cls`.
inline size_t class_bytes(uint32_t cls) noexcept {
  return size_t{cls} * granule;
}

/// A cached block of class `cls` (cls != 0), or a fresh one from malloc; nullptr if out of memory.
void* take(uint32_t cls) noexcept;
/// Returns a block of class `cls` (cls != 0): cached if there is room, freed otherwise.
void give(void* block, uint32_t cls) noexcept;

} // namespace cafmq::block_pool
