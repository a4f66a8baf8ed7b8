// The Majordomo broker's actor tree (runtime/majordomo_broker.hpp, docs/majordomo.md):
//   broker actor  - owns the ROUTER: reads it on readiness wake-ups, parses (mdp_codec), routes;
//                   the only actor that touches the socket (children ask it with out_atom).
//   service actor - one per service: queued requests (bounded, expiring), waiting workers in
//                   LRU order; monitors its workers.
//   worker actor  - one per worker: sends HEARTBEATs, expires after liveness x interval of
//                   silence (ends with worker_expired); the broker and its service monitor it.
// All run on one scheduler thread of the broker's own actor system, so the hops between them
// never wake a thread.
#pragma once

#include "runtime/majordomo_broker.hpp"
#include "runtime/socket.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::supervision_node)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::mdp::stop_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::function<void(cafmq::socket&)>)

namespace cafmq::actors::mdp {

using cafmq::mdp::broker_options;
using cafmq::mdp::broker_stats;
using cafmq::mdp::stop_summary;

using steady = std::chrono::steady_clock;

// Broker <- readiness callback: the ROUTER may have become readable.
using wake_atom = caf::atom_constant<caf::atom("mdpwake")>;
// Broker <- child: send this message on the ROUTER (addressed already).
using out_atom = caf::atom_constant<caf::atom("mdpout")>;
// Broker <- service: a REQUEST for worker `key` (the broker marks it busy, then sends).
using dispatch_atom = caf::atom_constant<caf::atom("mdpdisp")>;
// Service <- broker: a client request (client address, body).
using request_atom = caf::atom_constant<caf::atom("mdpreq")>;
// Service <- broker: worker `key` (its actor, its address) waits for work.
using ready_atom = caf::atom_constant<caf::atom("mdpready")>;
// Service / worker timers.
using tick_atom = caf::atom_constant<caf::atom("mdptick")>;
// Worker <- broker: end normally (DISCONNECT received, or the broker stops).
using leave_atom = caf::atom_constant<caf::atom("mdpleave")>;
// Broker <- API: run a call on the socket (bind, monitor...), on the broker's thread.
using call_atom = caf::atom_constant<caf::atom("mdpcall")>;
// Broker <- API / service: describe the tree / a service's node.
using describe_atom = caf::atom_constant<caf::atom("mdpdescr")>;
// Broker <- API: stop, draining for a timespan. Service <- broker: discard the queue.
using stop_atom = caf::atom_constant<caf::atom("mdpstop")>;
// Broker's drain timer.
using drain_atom = caf::atom_constant<caf::atom("mdpdrain")>;
// Broker <- service: no queued request and no worker left, after `received` requests in all.
using idle_atom = caf::atom_constant<caf::atom("mdpidle")>;
// Broker <- monitor callback: a connection of the ROUTER closed.
using gone_atom = caf::atom_constant<caf::atom("mdpgone")>;

/// The counters the actors increment and stats() reads (relaxed snapshots).
struct counters {
  std::atomic<uint64_t> services{0}, workers{0}, received{0}, dispatched{0}, answered{0},
    expired{0}, dropped{0}, mmi{0}, malformed{0}, heartbeats_sent{0}, heartbeats_received{0},
    disconnects_sent{0}, workers_expired{0}, services_retired{0}, workers_refused{0},
    workers_departed{0};
  broker_stats snapshot() const;
};
using counters_ptr = std::shared_ptr<counters>;

/// Bumps a counter (relaxed: counters are statistics, never decisions).
inline void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.fetch_add(n, std::memory_order_relaxed);
}

/// A worker's liveness, shared by the broker (writes on every message from the worker and on
/// dispatch / reply) and its worker actor (reads on each tick): no message per inbound frame.
struct liveness {
  std::atomic<int64_t> last_seen{0};  ///< steady_clock ticks of the latest message from it
  std::atomic<bool> busy{false};      ///< a request is with it: not expired (as the zguide)
};
using liveness_ptr = std::shared_ptr<liveness>;

inline int64_t now_ticks() {
  return steady::now().time_since_epoch().count();
}

/// Why a worker actor ended on its own: silent for liveness x interval.
caf::error worker_expired();

/// A worker's address frames as a map key (length-prefixed, so no two addresses collide).
std::string address_key(const message& address);

/// The configuration every actor of the tree reads.
struct tree_config {
  std::chrono::milliseconds heartbeat_interval;
  int heartbeat_liveness;
  std::chrono::milliseconds request_expiry;
  size_t max_queued;
  bool expire_busy;
  size_t max_services;
  size_t max_workers;
  std::chrono::milliseconds busy_expiry;  // 0: a busy worker is never expired (unless expire_busy)
};

/// Spawns a service actor for `name` (its parent: the broker).
caf::actor spawn_service(caf::event_based_actor* broker, const std::string& name,
                         const tree_config& cfg, const counters_ptr& stats);
/// Spawns a worker actor for the worker at `address` (its parent: the broker).
caf::actor spawn_worker(caf::event_based_actor* broker, message address, liveness_ptr live,
                        const tree_config& cfg, counters_ptr stats);

/// What the broker actor starts with.
struct broker_args {
  std::shared_ptr<socket> sock;  ///< the ROUTER, opened by the API; used by the actor alone
  tree_config cfg;
  counters_ptr stats;
};

/// Spawns the broker actor on `system`; it arms the socket's readiness callback.
caf::actor spawn_broker(caf::actor_system& system, const broker_args& args);

} // namespace cafmq::actors::mdp
