// ppp::queue (runtime/paranoid_pirate.hpp): one loop over a poller with the backend, the
// frontend (watched only while a live worker is idle) and the stop descriptor. The bookkeeping
// is patterns/ppp_worker_registry; the messages are patterns/ppp_command.
#include "runtime/paranoid_pirate.hpp"

#include "patterns/ppp_command.hpp"
#include "patterns/ppp_worker_registry.hpp"
#include "runtime/paranoid_pirate_loop.hpp"
#include "runtime/poller.hpp"
#include "runtime/socket.hpp"


#include <algorithm>
#include <atomic>
#include <vector>

namespace cafmq::ppp {
namespace pp = patterns::ppp;

namespace {

constexpr size_t batch = 256;  // messages taken from one side per wake-up (fairness)

pp::timing queue_timing(const queue_options& o) {
  pp::timing t;
  t.liveness = o.liveness;
  t.interval = o.heartbeat_interval;
  if (const char* why = pp::invalid_reason(t))
    throw error(errc::invalid_argument, std::string("ppp::queue: ") + why);
  return t;
}

socket bound(context& ctx, socket_options o, const std::string& endpoint, const char* side) {
  if (o.linger_ms < 0)
    o.linger_ms = 0;  // a stopped queue does not wait for peers that may be gone
  socket s{ctx, socket_type::router, std::move(o)};
  try {
    s.bind(endpoint);
  } catch (const error& e) {
    throw error(e.code(), std::string("ppp::queue ") + side + " " + endpoint + ": " + e.what());
  }
  return s;
}

struct counters {
  std::atomic<size_t> alive{0}, idle{0};
  std::atomic<uint64_t> ready{0}, expired{0}, requests{0}, replies{0}, hb_sent{0}, hb_received{0},
    malformed{0}, unknown{0};
};

void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.fetch_add(n, std::memory_order_relaxed);
}

} // namespace

struct queue::impl {
  impl(context& ctx, const std::string& fe, const std::string& be, const queue_options& o)
    : timing(queue_timing(o)), frontend(bound(ctx, o.frontend, fe, "frontend")),
      backend(bound(ctx, o.backend, be, "backend")), registry(timing) {}

  pp::timing timing;
  socket frontend;
  socket backend;
  pp::worker_registry registry;
  loop_control control{"ppp::queue"};
  counters stats;

  void loop();
  void expire(pp::time_point now);
  void heartbeat_idle_workers();
  void from_backend(const message& m, pp::time_point now);
  void from_frontend(const message& m, pp::time_point now);
  void publish_sizes() {
    stats.alive.store(registry.size(), std::memory_order_relaxed);
    stats.idle.store(registry.idle_count(), std::memory_order_relaxed);
  }
};

void queue::impl::expire(pp::time_point now) {
  auto dead = registry.expire(now);
  if (!dead.empty())
    publish_sizes();  // the live count first: a reader that sees the expiry sees it too
  bump(stats.expired, dead.size());
}

void queue::impl::heartbeat_idle_workers() {
  for (auto& id : registry.idle()) {
    bump(stats.hb_sent);
    backend.send(pp::prepend(frame{id}, pp::make_heartbeat()), std::chrono::milliseconds{0});
  }
}

void queue::impl::from_backend(const message& m, pp::time_point now) {
  if (m.size() < 1)
    return;
  std::string id = m[0].to_string();
  message rest = pp::without_first(m);
  auto c = pp::classify_from_worker(rest);
  switch (c.what) {
    case pp::kind::ready:
      registry.ready(id, now);
      bump(stats.ready);
      break;
    case pp::kind::heartbeat:
      bump(stats.hb_received);
      if (!registry.heartbeat(id, now))
        bump(stats.unknown);
      break;
    case pp::kind::reply:
      if (!registry.reply(id, now))
        bump(stats.unknown);
      bump(stats.replies);  // counted first: a reader who sees the reply sees it counted
      frontend.send(std::move(rest), std::chrono::milliseconds{0});
      break;
    default:
      bump(stats.malformed);
      break;
  }
}

void queue::impl::from_frontend(const message& m, pp::time_point now) {
  // [client id, ..., "", body...]: a request with an envelope the worker can answer to.
  if (pp::classify_from_queue(m).what != pp::kind::request) {
    bump(stats.malformed);
    return;
  }
  auto worker = registry.take(now);
  if (!worker)
    return;  // not reached: the frontend is read only while a worker is idle
  bump(stats.requests);  // counted first: a worker that has it sees it counted
  backend.send(pp::prepend(frame{*worker}, m), std::chrono::milliseconds{0});
}

void queue::impl::loop() {
  poller p;
  p.add(backend, poll_in);
  p.add_fd(control.wake_fd(), poll_in);
  bool frontend_watched = false;
  pp::heartbeat_clock heartbeat{timing.interval, pp::clock::now()};
  std::vector<poller::event> ready;
  std::vector<message> got;
  try {
    while (!control.stopping()) {
      auto now = pp::clock::now();
      expire(now);
      if (heartbeat.due(now))
        heartbeat_idle_workers();
      bool want_frontend = registry.idle_count() > 0;
      if (want_frontend != frontend_watched) {
        if (want_frontend)
          p.add(frontend, poll_in);
        else
          p.remove(frontend);
        frontend_watched = want_frontend;
      }
      publish_sizes();
      auto wake = heartbeat.next();
      if (auto e = registry.next_expiry())
        wake = std::min(wake, *e);
      p.wait(ready, pp::until(wake, now));
      for (auto& e : ready) {
        now = pp::clock::now();
        if (e.sock == &backend) {
          got.clear();
          backend.recv_batch(got, batch);
          for (auto& m : got)
            from_backend(m, now);
        } else if (e.sock == &frontend) {
          for (size_t n = 0; n < batch && registry.idle_count() > 0; ++n) {
            expire(now);  // never hand a request to a worker that just died
            if (registry.idle_count() == 0)
              break;
            auto m = frontend.recv(std::chrono::milliseconds{0});
            if (!m)
              break;
            from_frontend(*m, now);
          }
        }
      }
    }
  } catch (...) {
    if (frontend_watched)
      p.remove(frontend);
    p.remove(backend);
    throw;
  }
  if (frontend_watched)
    p.remove(frontend);
  p.remove(backend);
  publish_sizes();
}

queue::queue(context& ctx, const std::string& frontend, const std::string& backend,
             const queue_options& options)
  : impl_(std::make_unique<impl>(ctx, frontend, backend, options)) {}

queue::~queue() {
  impl_->control.stop_quietly();
}

const std::string& queue::frontend_endpoint() const noexcept {
  return impl_->frontend.last_endpoint();
}

const std::string& queue::backend_endpoint() const noexcept {
  return impl_->backend.last_endpoint();
}

void queue::start() {
  impl_->control.start([this] { impl_->loop(); });
}

void queue::run() {
  impl_->control.run_here([&] { impl_->loop(); });
}

void queue::stop() {
  impl_->control.stop();
}

queue_stats queue::stats() const {
  auto& c = impl_->stats;
  auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  queue_stats s;
  s.workers_alive = get(c.alive);
  s.workers_idle = get(c.idle);
  s.workers_ready = get(c.ready);
  s.workers_expired = get(c.expired);
  s.requests_forwarded = get(c.requests);
  s.replies_forwarded = get(c.replies);
  s.heartbeats_sent = get(c.hb_sent);
  s.heartbeats_received = get(c.hb_received);
  s.malformed = get(c.malformed);
  s.unknown_worker = get(c.unknown);
  return s;
}

} // namespace cafmq::ppp
