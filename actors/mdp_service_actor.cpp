// A Majordomo service: one actor per service name. It holds the requests no worker took yet
// (bounded by max_queued, dropped after request_expiry) and the workers waiting for one, least
// recently used first; it monitors its workers, so one that ends leaves the waiting list. The
// broker sends it requests and "worker ready"; it answers with dispatch_atom (the broker owns
// the socket), and with idle_atom once it holds neither a request nor a worker (the broker
// retires it).
#include "actors/mdp_broker.hpp"

#include <algorithm>
#include <set>

namespace cafmq::actors::mdp {

namespace {

struct queued_request {
  message client;
  message body;
  steady::time_point deadline;
};

struct waiting_worker {
  std::string key;
  caf::actor actor;
};

struct service_state {
  std::deque<queued_request> queue;     // oldest first (all share one expiry: FIFO deadlines)
  std::deque<waiting_worker> waiting;   // least recently used first
  std::set<caf::actor_addr> monitored;  // workers seen and not ended (each monitored once)
  uint64_t received = 0;                // request_atoms, for the broker's idle check
  bool tick_armed = false;
  static inline const char* name = "cafmq.mdp.service";
};

using service_self = caf::stateful_actor<service_state>*;

void arm_tick(service_self self) {
  auto& st = self->state;
  if (st.tick_armed || st.queue.empty())
    return;
  st.tick_armed = true;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(st.queue.front().deadline - steady::now());
  self->delayed_send(self, std::max(wait, std::chrono::milliseconds(1)), tick_atom::value);
}

// Nothing queued and no worker: the broker may retire this service (it checks that nothing is on
// its way here). Said on the transitions only: the last request expired, the last worker ended.
void report_if_idle(service_self self, const caf::actor& parent) {
  auto& st = self->state;
  if (st.queue.empty() && st.monitored.empty())
    self->send(parent, idle_atom::value, st.received);
}

void expire(service_self self, const counters_ptr& stats) {
  auto& q = self->state.queue;
  auto now = steady::now();
  while (!q.empty() && q.front().deadline <= now) {
    q.pop_front();
    bump(stats->expired);
  }
}

} // namespace

caf::actor spawn_service(caf::event_based_actor* broker, const std::string& name,
                         const tree_config& cfg, const counters_ptr& stats) {
  auto parent = caf::actor_cast<caf::actor>(broker);
  // Spawn arguments rather than captures (see spawn_broker: CAF 0.17 and argument-less spawns).
  return broker->spawn([](service_self self, const caf::actor& parent, const std::string& name,
                          const tree_config& cfg, const counters_ptr& stats) -> caf::behavior {
    self->monitor(parent);  // a broker that dies takes its services with it
    self->set_down_handler([self, parent](caf::down_msg& dm) {
      if (dm.source == parent.address()) {
        self->quit(dm.reason);
        return;
      }
      auto& w = self->state.waiting;
      w.erase(std::remove_if(w.begin(), w.end(),
                             [&](const waiting_worker& x) { return x.actor.address() == dm.source; }),
              w.end());
      if (self->state.monitored.erase(dm.source) != 0)
        report_if_idle(self, parent);
    });
    return {
      [=](request_atom, message& client, message& body) {
        auto& st = self->state;
        ++st.received;
        if (!st.waiting.empty()) {
          auto w = std::move(st.waiting.front());
          st.waiting.pop_front();
          self->send(parent, dispatch_atom::value, name, std::move(w.key), std::move(client), std::move(body));
          return;
        }
        if (st.queue.size() >= cfg.max_queued) {
          bump(stats->dropped);
          return;
        }
        st.queue.push_back({std::move(client), std::move(body), steady::now() + cfg.request_expiry});
        arm_tick(self);
      },
      [=](ready_atom, std::string& key, caf::actor& worker) {
        auto& st = self->state;
        if (st.monitored.insert(worker.address()).second)
          self->monitor(worker);
        expire(self, stats);
        if (!st.queue.empty()) {
          auto r = std::move(st.queue.front());
          st.queue.pop_front();
          self->send(parent, dispatch_atom::value, name, std::move(key), std::move(r.client), std::move(r.body));
          return;
        }
        // One entry per routing id: a worker that left and came back under the same id replaces
        // its stale entry (two would hand it two requests at once).
        st.waiting.erase(std::remove_if(st.waiting.begin(), st.waiting.end(),
                                        [&](const waiting_worker& x) { return x.key == key; }),
                         st.waiting.end());
        st.waiting.push_back({std::move(key), std::move(worker)});
      },
      [=](tick_atom) {
        auto& st = self->state;
        st.tick_armed = false;
        bool had = !st.queue.empty();
        expire(self, stats);
        arm_tick(self);
        if (had)
          report_if_idle(self, parent);
      },
      // Stopping: the queue is discarded; answers how many requests it held.
      [=](stop_atom) -> uint64_t {
        auto n = static_cast<uint64_t>(self->state.queue.size());
        self->state.queue.clear();
        self->state.waiting.clear();
        return n;
      },
      [=](describe_atom) -> supervision_node {
        supervision_node n;
        n.role = node_role::service;
        n.endpoint = name;
        n.detail = "queued " + std::to_string(self->state.queue.size()) + ", waiting workers "
                   + std::to_string(self->state.waiting.size());
        return n;
      },
      [=](leave_atom) { self->quit(); },
    };
  }, parent, name, cfg, stats);
}

} // namespace cafmq::actors::mdp
