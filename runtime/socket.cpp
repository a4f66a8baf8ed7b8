// The user-thread half of a socket: drains newly attached pipes from the hub, then drives the
// pattern against the SPSC rings, sleeping on the socket's signaler only when a ring edge says so.
#include "runtime/socket.hpp"

#include "actors/control.hpp"
#include "patterns/drop_oldest.hpp"
#include "patterns/full_policy.hpp"
#include "patterns/socket_pattern.hpp"
#include "runtime/core/pipe_hub.hpp"
#include "runtime/core/socket_descriptor.hpp"
#include "runtime/socket_state.hpp"
#include "runtime/zap_client.hpp"
#include "security/mechanism_factory.hpp"
#include "security/socket_authenticator.hpp"

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

socket::socket(context& ctx, socket_type type, socket_options options)
  : socket(ctx.control(), type, std::move(options)) {}

socket::socket(std::shared_ptr<actors::control> control, socket_type type, socket_options options)
  : control_(std::move(control)), type_(type), options_(std::move(options)),
    state_(std::make_unique<state>(options_)) {
  options_.validate();
  security::validate_security_options(options_);
  state_->pattern = patterns::make_pattern(type, options_);
  state_->policy = patterns::resolve_full_policy(type, options_);
  handshakes_ = std::make_shared<actors::handshake_counts>();
  supervision_ = std::make_shared<actors::supervision_record>();
  actors::socket_args args{type_, options_, state_->hub, monitor_, nullptr, refused_subscriptions_,
                           handshakes_, nullptr, nullptr, supervision_, nullptr};
  if (security::asks_authenticator(options_))
    args.authenticator = security::make_socket_authenticator(
      options_, control_->authenticators(),
      [weak = std::weak_ptr<actors::control>(control_)]() -> authenticator_ptr {
        auto c = weak.lock();
        return c ? context_zap_handler(c) : nullptr;
      });
  id_ = control_->open_socket(std::move(args));
}

socket::~socket() {
  if (!state_)
    return;  // moved from: the socket lives on in the object it was moved to
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() only fails if the context is gone.
  }
}

void socket::set_linger(std::chrono::milliseconds linger) {
  thread_check::scope one{live("set_linger").one_thread, "set_linger"};
  options_.linger_ms = static_cast<int>(linger.count());
  state_->hub->linger_ms.store(options_.linger_ms, std::memory_order_relaxed);
}

socket::socket(socket&& other) noexcept = default;

socket& socket::operator=(socket&& other) noexcept {
  if (this == &other)
    return *this;
  if (state_) {
    try {
      close();
    } catch (...) {
      // As in the destructor: close() only fails if the context is gone.
    }
  }
  control_ = std::move(other.control_);
  type_ = other.type_;
  options_ = std::move(other.options_);
  state_ = std::move(other.state_);
  monitor_ = std::move(other.monitor_);
  refused_subscriptions_ = std::move(other.refused_subscriptions_);
  handshakes_ = std::move(other.handshakes_);
  supervision_ = std::move(other.supervision_);
  last_endpoint_ = std::move(other.last_endpoint_);
  connect_routing_id_ = std::move(other.connect_routing_id_);
  id_ = other.id_;
  closed_ = other.closed_;
  return *this;
}

socket::state& socket::live(const char* call) const {
  if (!state_)
    throw error{errc::socket_closed, std::string("socket::") + call + ": this socket was moved "
                                       "from; use the socket it was moved to"};
  return *state_;
}

void socket::abort_linger() noexcept {
  if (state_)
    state_->hub->abort_linger();
}

void socket::require_open() const {
  if (!state_)
    throw error{errc::socket_closed, "this socket was moved from; use the socket it was moved to"};
  if (closed_)
    throw error{errc::socket_closed, "the socket is closed"};
  throw_if_terminated();
}

void socket::throw_if_terminated() const {
  if (control_->terminated())
    throw error{errc::socket_closed, "the socket's context is terminated"};
  if (supervision_->failed.load(std::memory_order_acquire))
    throw error{errc::internal, supervision_->socket_failed()};
}

void socket::bind(const std::string& endpoint) {
  thread_check::scope one{live("bind").one_thread, "bind"};
  require_open();
  last_endpoint_ = control_->bind(id_, endpoint);
}

void socket::connect(const std::string& endpoint) {
  thread_check::scope one{live("connect").one_thread, "connect"};
  require_open();
  control_->connect(id_, endpoint, connect_routing_id_);
  connect_routing_id_.clear();
  state_->absorb();  // take the connector's pipe now (as libzmq does): a SUB subscribes it at once
}

void socket::set_connect_routing_id(std::string id) {
  thread_check::scope one{live("set_connect_routing_id").one_thread, "set_connect_routing_id"};
  require_open();
  if (!descriptor_of(type_).pipe_per_connection)
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
  thread_check::scope one{live("subscribe").one_thread, "subscribe"};
  require_open();
  if (type_ != socket_type::sub && !(type_ == socket_type::xpub && options_.xpub_manual))
    throw error{errc::unsupported, std::string(add ? "subscribe" : "unsubscribe")
                                     + " needs a SUB socket (or XPUB with xpub_manual), not "
                                     + std::string(zmtp_name(type_))};
  state_->absorb();
  state_->pattern->subscribe(prefix, add);
}

bool socket::wait_subscribers(size_t n, std::chrono::milliseconds timeout) {
  thread_check::scope one{live("wait_subscribers").one_thread, "wait_subscribers"};
  require_open();
  if (descriptor_of(type_).subscriptions != subscription_role::publisher)
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
  thread_check::scope one{live("request").one_thread, "request"};
  for (int attempt = 0; attempt < attempts; ++attempt) {
    state_->pattern->abandon_request();
    state_->prefetched.reset();  // a reply to an abandoned request
    auto started = clock::now();
    message copy = request;
    if (!send_until(copy, static_cast<int>(timeout.count())))
      continue;  // no peer took it in time: the next attempt tries again
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeout - (clock::now() - started));
    if (auto reply = recv_until(static_cast<int>(std::max<long long>(left.count(), 0)))) {
      if (state_->hook != nullptr)
        refresh_readiness();
      return reply;
    }
  }
  state_->pattern->abandon_request();  // the socket can send again
  if (state_->hook != nullptr)
    refresh_readiness();
  return std::nullopt;
}

uint64_t socket::messages_dropped() const {
  auto& st = live("messages_dropped");
  thread_check::scope one{st.one_thread, "messages_dropped"};
  return st.pattern->dropped() + st.dropped_hwm + st.dropped_budget;
}

peer_properties_ptr socket::last_peer() const {
  auto& st = live("last_peer");
  thread_check::scope one{st.one_thread, "last_peer"};
  return st.last_peer.peer;
}

socket_stats socket::stats() {
  thread_check::scope one{live("stats").one_thread, "stats"};
  auto& st = *state_;
  socket_stats s;
  auto d = st.pattern->drops();
  s.sent = st.sent;
  s.received = st.received;
  s.dropped_hwm = d.hwm + st.dropped_hwm;
  s.dropped_budget = st.dropped_budget;
  s.dropped_unroutable = d.unroutable;
  s.discarded_on_close = st.discarded_on_close;
  s.refused_subscriptions = refused_subscriptions_->load(std::memory_order_relaxed);
  s.pending_handshakes = handshakes_->pending.load(std::memory_order_relaxed);
  s.evicted_handshakes = handshakes_->evicted.load(std::memory_order_relaxed);
  supervision_->fill(s);
  if (closed_)
    return s;
  st.absorb();
  if (st.hub->send_budget())
    s.send_budget_used = st.recount_budget();
  for (auto& p : st.pattern->pipes()) {
    s.recv_budget_used += p->inbound().reader_queued_bytes();
    peer_stats ps;
    ps.pipe_id = p->id();
    ps.routing_id = st.pattern->peer_id(*p);
    ps.connected = p->connected() && !p->detached() && !p->closed_by_user();
    ps.queued_in = p->inbound().size();
    ps.queued_out = p->outbound().size();
    ps.queued_in_bytes = p->inbound().reader_queued_bytes();
    ps.queued_out_bytes = p->outbound().writer_queued_bytes();
    ps.dropped = p->dropped;
    s.peers.push_back(std::move(ps));
  }
  return s;
}

bool socket::send(message msg) {
  return send(std::move(msg), std::chrono::milliseconds(options_.sndtimeo_ms));
}

bool socket::send(message msg, std::chrono::milliseconds timeout) {
  thread_check::scope one{live("send").one_thread, "send"};
  bool sent = send_until(msg, static_cast<int>(timeout.count()));
  if (monitor_->active())  // one relaxed load when nobody monitors
    report_drops(false);
  if (state_->hook != nullptr)
    refresh_readiness();
  return sent;
}

std::optional<message> socket::recv() {
  return recv(std::chrono::milliseconds(options_.rcvtimeo_ms));
}

std::optional<message> socket::recv(std::chrono::milliseconds timeout) {
  thread_check::scope one{live("recv").one_thread, "recv"};
  auto m = recv_until(static_cast<int>(timeout.count()));
  if (state_->hook != nullptr)
    refresh_readiness();
  return m;
}

bool socket::send_until(message& msg, int timeout_ms) {
  auto& st = *state_;
  if (!closed_ && !msg.empty() && !control_->terminated() && st.try_fast_send(msg))
    return true;
  st.fast_pipe = nullptr;  // what follows may change the pattern's pipes
  require_open();
  if (msg.empty())
    throw error{errc::invalid_argument, "cannot send a message with no frames"};
  if (st.prefetched && (type_ == socket_type::req || type_ == socket_type::rep)) {
    // events() took the reply (REQ) or the next request (REP) ahead: it is the user's turn to
    // receive, as the pattern would say had it not been taken. A relaxed REQ forgets it.
    if (type_ != socket_type::req || !options_.req_relaxed)
      throw error{errc::wrong_state, std::string("a ") + std::string(zmtp_name(type_))
                                       + " socket must receive the message waiting for it "
                                         "before it sends"};
    st.prefetched.reset();
  }
  st.absorb();
  if (st.attempt(msg) == patterns::send_result::sent) {
    ++st.sent;
    st.learn_fast_pipe();
    return true;  // the common case: no clock read, no sleep
  }
  if (st.policy != full_policy::block)
    return when_full(msg);
  if (timeout_ms == 0)
    return false;
  for (int spin = 0; spin < spin_polls; ++spin) {
    cpu_relax();
    if (st.attempt(msg) == patterns::send_result::sent) {
      ++st.sent;
      return true;
    }
  }
  auto deadline = deadline_after(timeout_ms);
  for (;;) {
    if (st.prepare_wait_send() && !st.hub->user_waker()->wait_until(deadline))
      timeout_ms = 0;  // one last attempt below, then give up
    st.absorb();
    if (st.attempt(msg) == patterns::send_result::sent) {
      ++st.sent;
      return true;
    }
    throw_if_terminated();
    if (timeout_ms == 0)
      return false;
  }
}

// drop_oldest at the send budget: the oldest messages of the longest queue (the slowest peer's)
// go until the budget has room. False if nothing is left to discard.
bool socket::make_budget_room() {
  auto& st = *state_;
  auto limit = st.hub->send_budget()->limit;
  while (st.recount_budget() >= limit) {
    pipe_ptr longest;
    size_t most = 0;
    for (auto& p : st.pattern->pipes())
      if (auto queued = p->outbound().writer_queued_bytes(); queued > most) {
        most = queued;
        longest = p;
      }
    if (!longest || !patterns::discard_oldest(*longest))
      return false;
    ++st.dropped_budget;
  }
  return true;
}

// full_policy drop_newest, drop_oldest or error, when no queue (or the budget) has room for
// `msg`. The patterns apply drop_oldest to their full queues themselves; what reaches here is
// the send budget, or no peer at all (nothing older to drop: the message itself goes).
bool socket::when_full(message& msg) {
  auto& st = *state_;
  if (st.policy == full_policy::drop_oldest && st.budget_blocked && make_budget_room()
      && st.attempt(msg) == patterns::send_result::sent) {
    ++st.sent;
    return true;
  }
  if (st.policy == full_policy::error) {
    throw error{errc::queue_full,
                std::string(zmtp_name(type_)) + ": cannot queue the message: "
                  + (st.budget_blocked ? "the send budget of " + std::to_string(options_.send_budget_bytes)
                                           + " bytes is used up"
                                       : std::string("no peer's queue has room (HWM or byte limit), "
                                                     "or there is no peer"))
                  + " (full_policy error)"};
  }
  ++(st.budget_blocked ? st.dropped_budget : st.dropped_hwm);
  ++st.sent;
  msg.clear();
  return true;
}

std::optional<message> socket::recv_until(int timeout_ms) {
  auto& st = *state_;
  message out;
  if (st.prefetched && !closed_)
    return take_prefetched();  // before the fast path: it came first
  if (!closed_ && !control_->terminated() && st.try_fast_recv(out))
    return out;
  st.fast_in = nullptr;  // what follows may change the pattern's pipes
  require_open();
  st.absorb();
  if (st.pattern->try_recv(out)) {
    st.received_through_pattern();
    return out;
  }
  if (timeout_ms == 0)
    return std::nullopt;
  for (int spin = 0; spin < spin_polls; ++spin) {
    cpu_relax();
    if (st.pattern->try_recv(out)) {
      st.received_through_pattern();
      return out;
    }
  }
  auto deadline = deadline_after(timeout_ms);
  for (;;) {
    if (st.pattern->prepare_wait_recv() && !st.hub->user_waker()->wait_until(deadline))
      timeout_ms = 0;
    st.absorb();
    if (st.pattern->try_recv(out)) {
      st.received_through_pattern();
      return out;
    }
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
  thread_check::scope one{live("close").one_thread, "close"};
  if (closed_)
    return 0;
  closed_ = true;
  auto& st = *state_;
  st.prefetched.reset();  // received, never delivered: as a message left in a receive queue
  st.absorb();
  // What linger waits for: the user's messages for a live or returning peer, never control
  // traffic to a peer that is not connected (SUB/XSUB subscriptions, XPUB's welcome): the rule
  // is pipe::lingering()'s (docs/socket-options.md, linger).
  auto pending = [&] {
    size_t n = 0;
    for (auto& p : st.pattern->pipes())
      n += p->lingering();
    return n;
  };
  // Linger: the engines do not signal "drained", so poll on a short period until the deadline.
  // With the context gone no engine runs to drain the queues: nothing to linger for, and a
  // context destroyed while we linger (another thread) ends the wait too, as does
  // abort_linger() (any thread).
  // A socket whose actor failed has no engine either.
  auto stop_waiting = [&] {
    return control_->terminated() || st.hub->linger_aborted()
           || supervision_->failed.load(std::memory_order_acquire);
  };
  int linger_ms = stop_waiting() ? 0 : options_.linger_ms;
  auto deadline = deadline_after(linger_ms);
  while (linger_ms != 0 && pending() > 0 && clock::now() < deadline && !stop_waiting()) {
    st.hub->user_waker()->wait_until(std::min(deadline, clock::now() + std::chrono::milliseconds(2)));
    st.absorb();
  }
  if (monitor_->active())
    report_drops(true);  // the tail of the last burst
  // What is still queued now is discarded: the socket actor stops the sessions (and engines)
  // next. An engine may still write a few of them while it stops, so this is an upper bound
  // when a peer is reading at this very moment, and exact when none is.
  size_t discarded = 0;  // the user's messages: control traffic is not counted (nor lingered for)
  for (auto& p : st.pattern->pipes())
    discarded += p->queued_user_messages();
  st.discarded_on_close = discarded;
  control_->close_socket(id_);
  if (st.hook != nullptr)
    st.hook->wake();  // the descriptor stays readable; a face's callback learns of the close
  return discarded;
}

} // namespace cafmq
