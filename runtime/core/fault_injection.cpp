// Armed fault points: one counter per point, decremented by the hit that
// throws.
#include "runtime/core/fault_injection.hpp"

#include <array>
#include <atomic>
#include <string>

namespace cafmq::fault {

namespace {

const char* name_of(point p) noexcept {
  switch (p) {
    case point::socket_actor: return "socket_actor";
    case point::listener: return "listener";
    case point::connector: return "connector";
    case point::session: return "session";
    case point::engine: return "engine";
    case point::count: break;
  }
  return "?";
}

} // namespace

injected_fault::injected_fault(point p)
  : std::runtime_error(std::string("injected fault at ") + name_of(p)), where(p) {}

#ifdef CAFMQ_FAULT_INJECTION

namespace {

constexpr auto points = static_cast<size_t>(point::count);
std::array<std::atomic<uint32_t>, points> armed{};
std::array<std::atomic<uint64_t>, points> thrown{};
std::array<std::atomic<uint32_t>, points> kill_armed{};
std::array<std::atomic<uint64_t>, points> kills{};

// Takes one from `left` if it is not zero; true if it did.
bool take_one(std::atomic<uint32_t>& left) {
  auto n = left.load(std::memory_order_relaxed);
  while (n > 0)
    if (left.compare_exchange_weak(n, n - 1, std::memory_order_acq_rel))
      return true;
  return false;
}

} // namespace

void arm(point p, uint32_t times) {
  armed[static_cast<size_t>(p)].store(times, std::memory_order_release);
}

void reset() {
  for (size_t i = 0; i < points; ++i) {
    armed[i].store(0, std::memory_order_release);
    thrown[i].store(0, std::memory_order_release);
    kill_armed[i].store(0, std::memory_order_release);
    kills[i].store(0, std::memory_order_release);
  }
}

uint64_t fired(point p) {
  return thrown[static_cast<size_t>(p)].load(std::memory_order_acquire);
}

void hit(point p) {
  if (!take_one(armed[static_cast<size_t>(p)]))
    return;
  thrown[static_cast<size_t>(p)].fetch_add(1, std::memory_order_acq_rel);
  throw injected_fault(p);
}

void arm_kill(point p, uint32_t times) {
  kill_armed[static_cast<size_t>(p)].store(times, std::memory_order_release);
}

uint64_t killed(point p) {
  return kills[static_cast<size_t>(p)].load(std::memory_order_acquire);
}

bool kill_hit(point p) {
  if (!take_one(kill_armed[static_cast<size_t>(p)]))
    return false;
  kills[static_cast<size_t>(p)].fetch_add(1, std::memory_order_acq_rel);
  return true;
}

#endif

} // namespace cafmq::fault
