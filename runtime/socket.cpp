// The user-thread half of a socket: drains newly attached pipes from the hub, then drives the
// pattern against the SPSC rings, sleeping on the socket's signaler only when a ring edge says so.
#include "runtime/socket.hpp"

#include "actors/control.hpp"
#include "patterns/socket_pattern.hpp"
#include "runtime/core/pipe_hub.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace cafmq {

namespace {

using clock = std::chrono::steady_clock;

clock::time_point deadline_after(int timeout_ms) {
  if (timeout_ms < 0)
    return clock::now() + std::chrono::hours(24 * 365);  // "forever", without overflow
  return clock::now() + std::chrono::milliseconds(timeout_ms);
}

// Polls before sleeping (each a pause instruction, tens of ns): a busy peer refills within
// microseconds, and a spin saves a futex sleep and wake-up. With fewer than four cores the I/O
// threads need the CPU more than we need the early answer, so we sleep at once.
const int spin_polls = std::thread::hardware_concurrency() >= 4 ? 64 : 0;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// At most one messages_dropped event per period while drops go on: a burst of a million drops
// costs a few events, not a million.
constexpr auto drop_event_period = std::chrono::milliseconds(100);

} // namespace

struct socket::state {
  pipe_hub_ptr hub = std::make_shared<pipe_hub>();
  std::unique_ptr<patterns::socket_pattern> pattern;
  std::vector<pipe_ptr> fresh;
  std::vector<pipe_ptr> reconnected;
  uint64_t drops_reported = 0;           // pattern->dropped() at the last messages_dropped event
  clock::time_point last_drop_event{};   // rate limit: one event per drop_event_period

  // Takes pipes that sessions attached or reconnected since the last call.
  void absorb() {
    if (!hub->take_fresh(fresh, reconnected))
      return;
    for (auto& p : fresh)
      pattern->attach(std::move(p));
    for (auto& p : reconnected)
      pattern->reconnected(p);
    fresh.clear();
    reconnected.clear();
  }
};

socket::socket(context& ctx, socket_type type, socket_options options)
  : control_(ctx.control()), type_(type), options_(std::move(options)), state_(std::make_unique<state>()) {
  options_.validate();
  state_->pattern = patterns::make_pattern(type, options_);
  id_ = control_->open_socket({type_, options_, state_->hub, monitor_});
}

socket::~socket() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() only fails if the context is gone.
  }
}

void socket::require_open() const {
  if (closed_)
    throw error{errc::socket_closed, "the socket is closed"};
  throw_if_terminated();
}

void socket::throw_if_terminated() const {
  if (control_->terminated())
    throw error{errc::socket_closed, "the socket's context is terminated"};
}

void socket::bind(const std::string& endpoint) {
  require_open();
  last_endpoint_ = control_->bind(id_, endpoint);
}

void socket::connect(const std::string& endpoint) {
  require_open();
  control_->connect(id_, endpoint, connect_routing_id_);
  connect_routing_id_.clear();
  state_->absorb();  // take the connector's pipe now (as libzmq does): a SUB subscribes it at once
}

void socket::set_connect_routing_id(std::string id) {
  require_open();
  if (type_ != socket_type::router && type_ != socket_type::stream)
    throw error{errc::unsupported, "connect routing ids are for ROUTER and STREAM sockets, not "
                                     + std::string(zmtp_name(type_))};
  if (id.empty() || id.size() > 255 || id[0] == '\0')
    throw error{errc::invalid_argument, "a connect routing id must be 1 to 255 bytes and must not "
                                        "start with a zero byte"};
  connect_routing_id_ = std::move(id);
}

void socket::subscribe(std::string_view prefix) {
  change_subscription(prefix, true);
}

void socket::unsubscribe(std::string_view prefix) {
  change_subscription(prefix, false);
}

void socket::change_subscription(std::string_view prefix, bool add) {
  require_open();
  if (type_ != socket_type::sub && !(type_ == socket_type::xpub && options_.xpub_manual))
    throw error{errc::unsupported, std::string(add ? "subscribe" : "unsubscribe")
                                     + " needs a SUB socket (or XPUB with xpub_manual), not "
                                     + std::string(zmtp_name(type_))};
  state_->absorb();
  state_->pattern->subscribe(prefix, add);
}

bool socket::wait_subscribers(size_t n, std::chrono::milliseconds timeout) {
  require_open();
  if (type_ != socket_type::pub && type_ != socket_type::xpub)
    throw error{errc::unsupported, "wait_subscribers needs a PUB or XPUB socket, not "
                                     + std::string(zmtp_name(type_))};
  auto& st = *state_;
  auto deadline = clock::now() + timeout;
  for (;;) {
    st.absorb();
    if (st.pattern->subscribers() >= n)
      return true;
    throw_if_terminated();
    if (clock::now() >= deadline)
      return false;
    if (st.pattern->prepare_wait_recv())
      st.hub->user_waker()->wait_until(deadline);
  }
}

std::optional<message> socket::request(const message& request, std::chrono::milliseconds timeout,
                                       int attempts) {
  require_open();
  if (type_ != socket_type::req)
    throw error{errc::unsupported, "request needs a REQ socket, not " + std::string(zmtp_name(type_))};
  if (attempts < 1)
    throw error{errc::invalid_argument, "request attempts must be at least 1, not "
                                          + std::to_string(attempts)};
  if (timeout.count() < 0)
    throw error{errc::invalid_argument, "a request timeout must not be negative"};
  for (int attempt = 0; attempt < attempts; ++attempt) {
    state_->pattern->abandon_request();
    auto started = clock::now();
    message copy = request;
    if (!send_until(copy, static_cast<int>(timeout.count())))
      continue;  // no peer took it in time: the next attempt tries again
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeout - (clock::now() - started));
    if (auto reply = recv_until(static_cast<int>(std::max<long long>(left.count(), 0))))
      return reply;
  }
  state_->pattern->abandon_request();  // the socket can send again
  return std::nullopt;
}

uint64_t socket::messages_dropped() const {
  return state_->pattern->dropped();
}

bool socket::send(message msg) {
  bool sent = send_until(msg, options_.sndtimeo_ms);
  if (monitor_->active())  // one relaxed load when nobody monitors
    report_drops(false);
  return sent;
}

bool socket::send(message msg, std::chrono::milliseconds timeout) {
  bool sent = send_until(msg, static_cast<int>(timeout.count()));
  if (monitor_->active())
    report_drops(false);
  return sent;
}

std::optional<message> socket::recv() {
  return recv_until(options_.rcvtimeo_ms);
}

std::optional<message> socket::recv(std::chrono::milliseconds timeout) {
  return recv_until(static_cast<int>(timeout.count()));
}

bool socket::send_until(message& msg, int timeout_ms) {
  require_open();
  if (msg.empty())
    throw error{errc::invalid_argument, "cannot send a message with no frames"};
  auto& st = *state_;
  st.absorb();
  if (st.pattern->try_send(msg) == patterns::send_result::sent)
    return true;  // the common case: no clock read, no sleep
  if (timeout_ms == 0)
    return false;
  for (int spin = 0; spin < spin_polls; ++spin) {
    cpu_relax();
    if (st.pattern->try_send(msg) == patterns::send_result::sent)
      return true;
  }
  auto deadline = deadline_after(timeout_ms);
  for (;;) {
    if (st.pattern->prepare_wait_send() && !st.hub->user_waker()->wait_until(deadline))
      timeout_ms = 0;  // one last attempt below, then give up
    st.absorb();
    if (st.pattern->try_send(msg) == patterns::send_result::sent)
      return true;
    throw_if_terminated();
    if (timeout_ms == 0)
      return false;
  }
}

std::optional<message> socket::recv_until(int timeout_ms) {
  require_open();
  auto& st = *state_;
  message out;
  st.absorb();
  if (st.pattern->try_recv(out))
    return out;
  if (timeout_ms == 0)
    return std::nullopt;
  for (int spin = 0; spin < spin_polls; ++spin) {
    cpu_relax();
    if (st.pattern->try_recv(out))
      return out;
  }
  auto deadline = deadline_after(timeout_ms);
  for (;;) {
    if (st.pattern->prepare_wait_recv() && !st.hub->user_waker()->wait_until(deadline))
      timeout_ms = 0;
    st.absorb();
    if (st.pattern->try_recv(out))
      return out;
    throw_if_terminated();
    if (timeout_ms == 0)
      return std::nullopt;
  }
}

// Emits messages_dropped when the pattern's drop counter grew: at once for the first drops of a
// burst, then at most once per drop_event_period (`now`: regardless of the period, on close).
void socket::report_drops(bool now) {
  auto total = state_->pattern->dropped();
  if (total <= state_->drops_reported)
    return;
  auto t = clock::now();
  if (!now && t - state_->last_drop_event < drop_event_period)
    return;
  monitor_event e;
  e.kind = event_kind::messages_dropped;
  e.dropped = total - state_->drops_reported;
  e.reason = std::to_string(total) + " dropped since the socket opened";
  e.reason_code = event_reason::none;
  state_->drops_reported = total;
  state_->last_drop_event = t;
  monitor_->emit(e);
}

size_t socket::close() {
  if (closed_)
    return 0;
  closed_ = true;
  auto& st = *state_;
  st.absorb();
  auto pending = [&] {
    size_t n = 0;
    for (auto& p : st.pattern->pipes())
      if (!p->detached())
        n += p->outbound().size() + (p->io_writing.load(std::memory_order_acquire) ? 1 : 0);
    return n;
  };
  // Linger: the engines do not signal "drained", so poll on a short period until the deadline.
  // With the context gone no engine runs to drain the queues: nothing to linger for.
  int linger_ms = control_->terminated() ? 0 : options_.linger_ms;
  auto deadline = deadline_after(linger_ms);
  while (linger_ms != 0 && pending() > 0 && clock::now() < deadline) {
    st.hub->user_waker()->wait_until(std::min(deadline, clock::now() + std::chrono::milliseconds(2)));
    st.absorb();
  }
  if (monitor_->active())
    report_drops(true);  // the tail of the last burst
  size_t discarded = 0;
  for (auto& p : st.pattern->pipes())
    discarded += p->outbound().size();
  control_->close_socket(id_);
  return discarded;
}

} // namespace cafmq
