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

} // namespace

void arm(point p, uint32_t times) {
  armed[static_cast<size_t>(p)].store(times, std::memory_order_release);
}

void reset() {
  for (size_t i = 0; i < points; ++i) {
    armed[i].store(0, std::memory_order_release);
    thrown[i].store(0, std::memory_order_release);
  }
}

uint64_t fired(point p) {
  return thrown[static_cast<size_t>(p)].load(std::memory_order_acquire);
}

void hit(point p) {
  auto& left = armed[static_cast<size_t>(p)];
  auto n = left.load(std::memory_order_relaxed);
  while (n > 0) {
    if (left.compare_exchange_weak(n, n - 1, std::memory_order_acq_rel)) {
      thrown[static_cast<size_t>(p)].fetch_add(1, std::memory_order_acq_rel);
      throw injected_fault(p);
    }
  }
}

#endif

} // namespace cafmq::fault
