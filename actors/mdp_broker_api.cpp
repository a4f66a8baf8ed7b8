// cafmq::mdp::broker (runtime/majordomo_broker.hpp): checks the options, opens the ROUTER, and
// runs the actor tree on an actor system of its own (sharing scheduler, one thread: the hops
// between the broker, service and worker actors never wake a thread, and the socket's control
// calls, which block, never hold a thread of the context's system).
#include "actors/mdp_broker.hpp"

#include "runtime/core/error.hpp"

#include <optional>
#include <utility>

namespace cafmq::mdp {

using namespace actors::mdp;

namespace {

caf::actor_system_config make_config() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", 1);
  return cfg;
}

void check(const broker_options& o) {
  auto bad = [](const std::string& what) { throw error{errc::invalid_argument, "mdp::broker: " + what}; };
  if (o.heartbeat_interval.count() < 1)
    bad("heartbeat_interval must be at least 1 ms, got " + std::to_string(o.heartbeat_interval.count()));
  if (o.heartbeat_liveness < 1)
    bad("heartbeat_liveness must be at least 1, got " + std::to_string(o.heartbeat_liveness));
  if (o.request_expiry.count() < 1)
    bad("request_expiry must be at least 1 ms, got " + std::to_string(o.request_expiry.count()));
  if (o.max_queued_per_service < 1)
    bad("max_queued_per_service must be at least 1");
  if (o.max_services < 1)
    bad("max_services must be at least 1");
  if (o.max_workers < 1)
    bad("max_workers must be at least 1");
  if (o.busy_expiry.count() < 0)
    bad("busy_expiry must not be negative (0: never), got " + std::to_string(o.busy_expiry.count()));
  if (!o.socket.routing_id.empty())
    bad("socket.routing_id must be empty (a broker's ROUTER is bound, never named)");
}

// CAF 0.17 keeps the system's logger in a thread-local of threads that made a scoped_actor;
// each call hands it back (as actors/control.cpp does).
struct thread_logger_release {
  ~thread_logger_release() { caf::logger::set_current_actor_system(nullptr); }
};

} // namespace

std::string to_text(const stop_summary& s) {
  auto n = [](uint64_t v) { return std::to_string(v); };
  return "stopped: " + n(s.in_flight) + " in flight, " + n(s.answered_while_draining)
         + " answered while draining, " + n(s.unanswered) + " unanswered, " + n(s.discarded)
         + " queued discarded, " + n(s.workers_disconnected) + " workers disconnected; "
         + n(s.final_stats.requests_received) + " requests received, "
         + n(s.final_stats.replies_answered) + " answered, " + n(s.final_stats.requests_expired)
         + " expired, " + n(s.final_stats.requests_dropped) + " dropped, "
         + n(s.final_stats.malformed) + " malformed";
}

struct broker::impl {
  counters_ptr stats = std::make_shared<counters>();
  std::shared_ptr<socket> sock;
  caf::actor_system_config cfg = make_config();
  std::optional<caf::actor_system> system;
  caf::actor actor;
  bool stopped = false;
  stop_summary summary;

  // Runs `fn` on the socket in the broker actor's thread; rethrows what it threw.
  template <class F>
  void on_socket(F&& fn) {
    if (stopped)
      throw error{errc::wrong_state, "mdp::broker: stopped"};
    thread_logger_release release;
    auto failure = std::make_shared<std::optional<error>>();
    std::function<void(socket&)> call = [&fn, failure](socket& s) {
      try {
        fn(s);
      } catch (const error& e) {
        *failure = e;
      } catch (const std::exception& e) {  // never let it end the broker actor
        *failure = error{errc::internal, std::string("mdp::broker: ") + e.what()};
      }
    };
    caf::scoped_actor self{*system};
    caf::error failed;
    self->request(actor, caf::infinite, call_atom::value, call)
      .receive([] {}, [&](caf::error& e) { failed = e; });
    if (failed)
      throw error{errc::internal, "mdp::broker: the broker actor failed: " + caf::to_string(failed)};
    if (*failure)
      throw error{**failure};
  }
};

broker::broker(context& ctx, broker_options options) : impl_(std::make_unique<impl>()) {
  check(options);
  impl_->sock =
    std::make_shared<socket>(ctx.control(), socket_type::router, std::move(options.socket));
  tree_config cfg{options.heartbeat_interval, options.heartbeat_liveness, options.request_expiry,
                  options.max_queued_per_service, options.expire_busy_workers,
                  options.max_services, options.max_workers, options.busy_expiry};
  thread_logger_release release;
  impl_->system.emplace(impl_->cfg);
  impl_->actor = spawn_broker(*impl_->system, broker_args{impl_->sock, cfg, impl_->stats});
}

broker::~broker() {
  try {
    stop(std::chrono::milliseconds(0));
  } catch (const std::exception&) {
    // Nothing to report to: the actors are gone either way once the system is.
  }
}

std::string broker::bind(const std::string& endpoint) {
  std::string bound;
  impl_->on_socket([&](socket& s) {
    s.bind(endpoint);
    bound = s.last_endpoint();
  });
  return bound;
}

broker_stats broker::stats() const {
  return impl_->stopped ? impl_->summary.final_stats : impl_->stats->snapshot();
}

supervision_node broker::describe() const {
  if (impl_->stopped)
    throw error{errc::wrong_state, "mdp::broker: stopped"};
  thread_logger_release release;
  caf::scoped_actor self{*impl_->system};
  supervision_node out;
  caf::error failed;
  self->request(impl_->actor, std::chrono::seconds(10), describe_atom::value)
    .receive([&](supervision_node& n) { out = std::move(n); }, [&](caf::error& e) { failed = e; });
  if (failed)
    throw error{errc::internal, "mdp::broker: describe failed: " + caf::to_string(failed)};
  return out;
}

event_stream broker::monitor(size_t capacity) {
  std::optional<event_stream> out;
  impl_->on_socket([&](socket& s) { out.emplace(s.monitor(capacity)); });
  return std::move(*out);
}

uint64_t broker::add_event_callback(std::function<void(const monitor_event&)> fn) {
  uint64_t id = 0;
  impl_->on_socket([&](socket& s) { id = s.add_event_callback(std::move(fn)); });
  return id;
}

stop_summary broker::stop(std::chrono::milliseconds drain) {
  auto& d = *impl_;
  if (d.stopped)
    return d.summary;
  if (drain.count() < 0)
    throw error{errc::invalid_argument, "mdp::broker::stop: the drain time must not be negative, got "
                                          + std::to_string(drain.count()) + " ms"};
  {
    thread_logger_release release;
    caf::scoped_actor self{*d.system};
    // Bounded: a broker that died meanwhile never answers (CAF 0.17 has no broken promise).
    self->request(d.actor, drain + std::chrono::seconds(30), stop_atom::value, caf::timespan{drain})
      .receive([&](stop_summary& s) { d.summary = s; },
               [&](caf::error&) { d.summary.final_stats = d.stats->snapshot(); });
  }
  d.stopped = true;
  d.actor = nullptr;
  {
    thread_logger_release release;
    d.system.reset();  // waits for the tree's actors
  }
  // The DISCONNECTs are queued: linger long enough to write them.
  d.sock->set_linger(std::max(drain, std::chrono::milliseconds(100)));
  d.sock->close();
  d.sock.reset();
  return d.summary;
}

bool broker::running() const noexcept {
  return !impl_->stopped;
}

} // namespace cafmq::mdp
