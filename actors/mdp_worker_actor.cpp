// A Majordomo worker as the broker sees it: one actor per registered worker. It sends the
// broker's HEARTBEATs every heartbeat_interval and ends with worker_expired() once the worker was
// silent for liveness x interval while idle (while busy with a request only with
// expire_busy_workers, or after busy_expiry if set; by default never, as the zguide's broker). The broker and the worker's
// service monitor it; leave_atom ends it normally.
#include "actors/mdp_broker.hpp"

#include "patterns/mdp_codec.hpp"

namespace cafmq::actors::mdp {

caf::error worker_expired() {
  return caf::make_error(caf::sec::runtime_error, "worker expired: no message within liveness x interval");
}

namespace {

struct worker_state {
  static inline const char* name = "cafmq.mdp.worker";
};

caf::behavior run_worker(caf::stateful_actor<worker_state>* self, const caf::actor& broker,
                         const message& address, const liveness_ptr& live, const tree_config& cfg,
                         const counters_ptr& stats) {
  auto expiry = cfg.heartbeat_interval * cfg.heartbeat_liveness;
  self->monitor(broker);  // a broker that dies takes its workers with it
  self->set_down_handler([self, broker](caf::down_msg& dm) {
    if (dm.source == broker.address())
      self->quit(dm.reason);
  });
  self->delayed_send(self, cfg.heartbeat_interval, tick_atom::value);
  return {
    [=](tick_atom) {
      auto silent = steady::now() - steady::time_point(steady::duration(live->last_seen.load(std::memory_order_relaxed)));
      // Busy without expire_busy: spared, for busy_expiry if one is set, else for good.
      bool exempt = live->busy.load(std::memory_order_relaxed) && !cfg.expire_busy
                    && (cfg.busy_expiry.count() == 0 || silent < cfg.busy_expiry);
      if (!exempt && silent >= expiry) {
        bump(stats->workers_expired);
        self->quit(worker_expired());
        return;
      }
      self->send(broker, out_atom::value,
                 patterns::mdp::broker_signal(address, patterns::mdp::command::heartbeat));
      bump(stats->heartbeats_sent);
      self->delayed_send(self, cfg.heartbeat_interval, tick_atom::value);
    },
    [=](leave_atom) { self->quit(); },
  };
}

} // namespace

caf::actor spawn_worker(caf::event_based_actor* broker, message address, liveness_ptr live,
                        const tree_config& cfg, counters_ptr stats) {
  return broker->spawn(run_worker, caf::actor_cast<caf::actor>(broker), std::move(address),
                       std::move(live), cfg, std::move(stats));
}

} // namespace cafmq::actors::mdp
