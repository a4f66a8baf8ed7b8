// ppp::worker (runtime/paranoid_pirate.hpp): a DEALER driven from recv(): it heartbeats the
// queue, counts the queue's silence (patterns/ppp_timing's worker_liveness) and, when the queue
// is lost, closes the socket, waits the back-off, connects a new one and sends READY.
#include "runtime/paranoid_pirate.hpp"

#include "patterns/envelope.hpp"
#include "patterns/ppp_command.hpp"
#include "patterns/ppp_timing.hpp"
#include "runtime/paranoid_pirate_loop.hpp"
#include "runtime/poller.hpp"
#include "runtime/socket.hpp"

#include <atomic>
#include <vector>

namespace cafmq::ppp {
namespace pp = patterns::ppp;

namespace {

pp::timing worker_timing(const worker_options& o) {
  pp::timing t;
  t.liveness = o.liveness;
  t.interval = o.heartbeat_interval;
  t.reconnect_initial = o.reconnect_initial;
  t.reconnect_max = o.reconnect_max;
  if (const char* why = pp::invalid_reason(t))
    throw error(errc::invalid_argument, std::string("ppp::worker: ") + why);
  return t;
}

struct counters {
  std::atomic<uint64_t> requests{0}, replies{0}, hb_sent{0}, hb_received{0}, readies{0},
    reconnects{0}, malformed{0}, replies_dropped{0};
};

void bump(std::atomic<uint64_t>& c) {
  c.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

struct worker::impl {
  impl(context& c, std::string ep, const worker_options& o)
    : ctx(c), endpoint(std::move(ep)), timing(worker_timing(o)), socket_options(o.socket),
      liveness(timing, pp::clock::now()), heartbeat(timing.interval, pp::clock::now()) {
    socket_options.linger_ms = 0;
    connect(pp::clock::now());
    poll.add_fd(control.wake_fd(), poll_in);
  }
  ~impl() { disconnect(); }

  context& ctx;
  std::string endpoint;
  pp::timing timing;
  cafmq::socket_options socket_options;
  pp::worker_liveness liveness;
  pp::heartbeat_clock heartbeat;
  std::optional<socket> dealer;      // none while waiting to reconnect
  pp::time_point reconnect_at;       // when dealer is none
  loop_control control{"ppp::worker"};
  poller poll;
  counters stats;
  std::vector<poller::event> ready;

  void connect(pp::time_point now);
  void disconnect();
  void send(message m, std::atomic<uint64_t>& counter, pp::time_point now);
  void keep_alive(pp::time_point now);
  pp::time_point next_wake() const;
  std::optional<request> take(const message& m, pp::time_point now);
};

void worker::impl::connect(pp::time_point now) {
  socket s{ctx, socket_type::dealer, socket_options};
  try {
    s.connect(endpoint);
  } catch (const error& e) {
    throw error(e.code(), "ppp::worker " + endpoint + ": " + e.what());
  }
  dealer.emplace(std::move(s));
  poll.add(*dealer, poll_in);
  liveness.restart(now);
  send(pp::make_ready(), stats.readies, now);
}

void worker::impl::disconnect() {
  if (!dealer)
    return;
  poll.remove(*dealer);
  dealer->close();
  dealer.reset();
}

void worker::impl::send(message m, std::atomic<uint64_t>& counter, pp::time_point now) {
  // Never blocks: a full queue to a lost peer drops it (the liveness decides what follows).
  bump(counter);  // counted first: a peer that has it sees it counted
  dealer->send(std::move(m), std::chrono::milliseconds{0});
  heartbeat.sent(now);
}

// Heartbeats when due; when the queue is lost, closes the socket and schedules the reconnect;
// reconnects when that time has come.
void worker::impl::keep_alive(pp::time_point now) {
  if (!dealer) {
    if (now < reconnect_at)
      return;
    connect(now);
    bump(stats.reconnects);
    return;
  }
  if (liveness.lost(now)) {
    disconnect();
    reconnect_at = now + liveness.next_backoff();
    return;
  }
  if (heartbeat.due(now))
    send(pp::make_heartbeat(), stats.hb_sent, now);
}

pp::time_point worker::impl::next_wake() const {
  if (!dealer)
    return reconnect_at;
  return std::min(heartbeat.next(), liveness.next_check());
}

std::optional<request> worker::impl::take(const message& m, pp::time_point now) {
  auto c = pp::classify_from_queue(m);
  if (c.what == pp::kind::heartbeat) {
    liveness.heard(now);
    bump(stats.hb_received);
    return std::nullopt;
  }
  if (c.what != pp::kind::request) {
    bump(stats.malformed);
    return std::nullopt;
  }
  liveness.heard(now);
  bump(stats.requests);
  request r;
  patterns::split_envelope(m, r.envelope, r.body);
  return r;
}

worker::worker(context& ctx, const std::string& queue_endpoint, const worker_options& options)
  : impl_(std::make_unique<impl>(ctx, queue_endpoint, options)) {}

worker::~worker() {
  impl_->control.stop_quietly();
}

std::optional<request> worker::recv(std::chrono::milliseconds timeout) {
  auto& w = *impl_;
  auto deadline = pp::clock::now() + std::max(timeout, std::chrono::milliseconds{0});
  while (!w.control.stopping()) {
    auto now = pp::clock::now();
    // What arrived first: a request in the socket counts before the silence it ends.
    while (w.dealer) {
      auto m = w.dealer->recv(std::chrono::milliseconds{0});
      if (!m)
        break;
      if (auto r = w.take(*m, now))
        return r;
    }
    w.keep_alive(now);
    if (now >= deadline)
      return std::nullopt;
    w.poll.wait(w.ready, pp::until(std::min(deadline, w.next_wake()), now));
  }
  return std::nullopt;
}

void worker::reply(const request& to, const message& body) {
  auto& w = *impl_;
  auto now = pp::clock::now();
  if (!w.dealer) {
    bump(w.stats.replies_dropped);
    return;
  }
  message out = to.envelope;
  patterns::append_frames(out, body);
  w.send(std::move(out), w.stats.replies, now);
  w.liveness.restart(now);  // the time spent on the request is not the queue's silence
}

void worker::run(const handler& fn) {
  impl_->control.run_here([&] { serve(fn); });
}

void worker::serve(const handler& fn) {
  while (!impl_->control.stopping())
    if (auto r = recv(impl_->timing.interval))
      reply(*r, fn(r->body));
}

void worker::start(handler fn) {
  impl_->control.start([this, fn = std::move(fn)] { serve(fn); });
}

void worker::stop() {
  impl_->control.stop();
}

worker_stats worker::stats() const {
  auto& c = impl_->stats;
  auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  worker_stats s;
  s.requests = get(c.requests);
  s.replies = get(c.replies);
  s.heartbeats_sent = get(c.hb_sent);
  s.heartbeats_received = get(c.hb_received);
  s.readies_sent = get(c.readies);
  s.reconnects = get(c.reconnects);
  s.malformed = get(c.malformed);
  s.replies_dropped = get(c.replies_dropped);
  return s;
}

} // namespace cafmq::ppp
