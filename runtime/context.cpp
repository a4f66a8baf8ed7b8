// The context is a thin owner of the control plane, plus the linger of sockets still open when
// it closes: the engines do not signal "drained", so it polls each socket's send queues on a
// short period, every socket against its own deadline at the same time.
#include "runtime/context.hpp"

#include "actors/control.hpp"
#include "runtime/core/log.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace cafmq {

namespace {

using clock = std::chrono::steady_clock;

constexpr auto poll_period = std::chrono::milliseconds(1);

// One open socket while the context lingers for it.
struct lingering {
  actors::open_socket_info socket;
  clock::time_point deadline;
  bool forever = false;
  long long linger_ms = 0;  // as applied (capped)
  bool done = false;
};

} // namespace

context::context() : context(context_options{}) {
}

context::context(const context_options& options)
  : control_(std::make_shared<actors::control>(options.io_threads)) {
}

context::context(caf::actor_system& system, const context_options& options)
  : control_(std::make_shared<actors::control>(system, options.io_threads)) {
}

context::~context() {
  close();
}

size_t context::close() {
  return close_within(-1);
}

size_t context::close(std::chrono::milliseconds max_linger) {
  return close_within(std::max<long long>(max_linger.count(), 0));
}

size_t context::close_within(long long cap_ms) {
  auto start = clock::now();
  std::vector<lingering> open;
  for (auto& s : control_->open_sockets()) {
    long long linger = s.hub->linger_ms.load(std::memory_order_relaxed);
    if (cap_ms >= 0 && (linger < 0 || linger > cap_ms))
      linger = cap_ms;
    lingering l{s, start + std::chrono::milliseconds(std::max<long long>(linger, 0)), linger < 0,
                linger};
    open.push_back(std::move(l));
  }
  // Linger: while the I/O thread runs, the sockets' engines keep writing what was queued.
  for (;;) {
    bool waiting = false;
    auto now = clock::now();
    for (auto& l : open) {
      if (l.done)
        continue;
      if (l.socket.hub->pending_sends() == 0 || (!l.forever && now >= l.deadline))
        l.done = true;
      else
        waiting = true;
    }
    if (!waiting || control_->terminated())  // another thread closed the context meanwhile
      break;
    std::this_thread::sleep_for(poll_period);
  }
  // What is still queued now is discarded (an engine may write a few more while it stops).
  size_t discarded = 0;
  for (auto& l : open) {
    size_t n = l.socket.hub->queued_sends();
    discarded += n;
    if (n > 0)
      log::write(log::level::info, "context",  // close() returns the count too
                 "socket " + std::to_string(l.socket.id) + " (" + std::string(zmtp_name(l.socket.type))
                   + ") still open at context close: " + std::to_string(n)
                   + " queued message(s) discarded (linger "
                   + (l.forever ? std::string("-1")
                                : std::to_string(l.linger_ms) + " ms")
                   + ")");
  }
  control_->shutdown();  // sockets may keep the (stopped) control plane alive a little longer
  // The authenticator may own sockets of this context (a zap_client): let it go now, or the
  // control plane it keeps alive would keep it alive in turn.
  control_->authenticators()->set(nullptr);
  return discarded;
}

void context::abort_linger() {
  for (auto& s : control_->open_sockets())
    s.hub->abort_linger();
}

void context::set_authenticator(authenticator_ptr a) {
  control_->authenticators()->set(std::move(a));
}

supervision_node context::supervision_tree() const {
  return control_->supervision_tree();
}

} // namespace cafmq
