// The writer's side of drop_oldest (spsc_ring::discard_oldest has the synchronisation).
#include "patterns/drop_oldest.hpp"

#include <thread>

namespace cafmq::patterns {

namespace {

// The reader holds the ring for one batch (encoding in place, no I/O): spin a little, then yield.
void back_off(int& spins) noexcept {
  if (++spins > 64)
    std::this_thread::yield();
#if defined(__x86_64__) || defined(__i386__)
  else
    __builtin_ia32_pause();
#endif
}

} // namespace

bool discard_oldest(pipe& p) noexcept {
  auto& ring = p.outbound();
  for (int spins = 0;;) {
    switch (ring.discard_oldest()) {
      case spsc_ring::discard_result::discarded: ++p.dropped; return true;
      case spsc_ring::discard_result::empty: return false;
      case spsc_ring::discard_result::reader_busy: back_off(spins); break;
    }
  }
}

uint64_t push_dropping_oldest(pipe& p, message& m) noexcept {
  auto& ring = p.outbound();
  uint64_t discarded = 0;
  for (int spins = 0; !ring.try_push(m);) {
    switch (ring.discard_oldest()) {
      case spsc_ring::discard_result::discarded:
        ++discarded;
        ++p.dropped;
        break;
      case spsc_ring::discard_result::reader_busy:
        back_off(spins);  // the reader is taking messages: room is coming
        break;
      case spsc_ring::discard_result::empty:
        // Only a ring not set up for discarding gets here (a full ring is never empty): the
        // new message is the one dropped, so the send never hangs.
        m.clear();
        ++p.dropped;
        return discarded + 1;
    }
  }
  ring.flush();
  return discarded;
}

} // namespace cafmq::patterns
