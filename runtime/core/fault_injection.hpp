// Fault injection for the supervision tests: named points inside the library
// that throw when a test arms them, and kill points (the describe handler of a
// socket actor, listener or connector) that make the actor quit with
// caf::exit_reason::kill, as a crash that says nothing would. Compiled in only
// with CAFMQ_FAULT_INJECTION (CMake option of that name, on in builds with
// tests, off for installs); otherwise CAFMQ_FAULT_POINT and
// CAFMQ_KILL_POINT are nothing and arm() does not exist.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace cafmq::fault {

/// Where a fault can be injected. Each point sits at the entry of one kind of
/// handler.
enum class point : uint8_t {
  socket_actor, ///< a socket actor's bind or connect handler (control thread)
  listener,     ///< a listener actor's accept handler (control thread)
  connector,    ///< a connector actor's dial result handler (control thread)
  session,      ///< a session actor's ready handler (control thread)
  engine,       ///< an engine's read handler (I/O thread)
  count,
};

/// What an armed point throws.
struct injected_fault : std::runtime_error {
  explicit injected_fault(point p);
  point where;
};

#ifdef CAFMQ_FAULT_INJECTION
/// The next `times` hits of `p` throw injected_fault (any thread; replaces an
/// earlier arm).
void arm(point p, uint32_t times = 1);
/// Disarms every point and zeroes the counts.
void reset();
/// How many times `p` has thrown since the last reset.
uint64_t fired(point p);
/// Throws injected_fault if `p` is armed. A relaxed load when nothing is armed.
void hit(point p);
/// The next `times` describe requests to an actor of kind `p` (socket_actor,
/// listener, connector) kill it: it quits with caf::exit_reason::kill.
void arm_kill(point p, uint32_t times = 1);
/// How many actors of kind `p` a kill point has killed since the last reset.
uint64_t killed(point p);
/// True (and counted) if `p` is armed to kill: the caller quits with exit_reason::kill.
bool kill_hit(point p);
#define CAFMQ_FAULT_POINT(p) ::cafmq::fault::hit(::cafmq::fault::point::p)
#define CAFMQ_KILL_POINT(p) ::cafmq::fault::kill_hit(::cafmq::fault::point::p)
#else
#define CAFMQ_FAULT_POINT(p) static_cast<void>(0)
#define CAFMQ_KILL_POINT(p) false
#endif

} // namespace cafmq::fault
