#include "net/memory_trim.hpp"

#include <atomic>
#include <system_error>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cafmq::net {

namespace {

using steady = std::chrono::steady_clock;

std::atomic<size_t> live{0};
std::atomic<size_t> peak{0};          // the most live connections since the last trim
std::atomic<bool> trimming{false};    // a trim thread runs (one at a time)
std::atomic<size_t> trims{0};
std::atomic<steady::rep> last_trim{0};  // the last trim's steady_clock count (trim threads only)

// Claims the next trim if the live count fell to half of its peak since the last one, and by at
// least trim_after; the peak then starts over from here.
bool claim_drop() noexcept {
  size_t now = live.load(std::memory_order_relaxed);
  size_t p = peak.load(std::memory_order_relaxed);
  if (p < now + trim_after || now > p / 2)
    return false;  // no real drop since the last trim
  if (trimming.exchange(true, std::memory_order_acq_rel))
    return false;  // the running trim takes this drop over when it ends
  peak.store(now, std::memory_order_relaxed);
  return true;
}

// Trims, then trims again for a drop that went on while it ran (those closes could not start a
// trim of their own): the end of a wave is always trimmed.
void run_trim() noexcept {
  do {
    std::this_thread::sleep_until(steady::time_point{steady::duration{last_trim.load()}} +
                                  trim_interval);
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    last_trim.store(steady::now().time_since_epoch().count());
    trims.fetch_add(1, std::memory_order_relaxed);
    trimming.store(false, std::memory_order_release);
  } while (claim_drop());
}

void start_trim() noexcept {
  try {
    std::thread(run_trim).detach();
  } catch (const std::system_error&) {
    trimming.store(false, std::memory_order_release);  // no thread to spare: the next drop tries
  }
}

} // namespace

void note_connection_ready() noexcept {
  size_t now = live.fetch_add(1, std::memory_order_relaxed) + 1;
  size_t p = peak.load(std::memory_order_relaxed);
  while (p < now && !peak.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
}

bool note_ready_connection_closed() noexcept {
  live.fetch_sub(1, std::memory_order_relaxed);
  if (!claim_drop())
    return false;
  start_trim();
  return true;
}

size_t memory_trims() noexcept {
  return trims.load(std::memory_order_relaxed);
}

} // namespace cafmq::net
