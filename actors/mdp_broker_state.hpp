// The broker actor's state and the steps its handlers share (actors/mdp_broker_*.cpp).
#pragma once

#include "actors/mdp_broker.hpp"

#include "patterns/mdp_codec.hpp"

#include <map>

namespace cafmq::actors::mdp {

/// A registered worker.
struct worker_entry {
  caf::actor actor;
  message address;
  std::string service;
  liveness_ptr live;
};

/// A service with an actor, and how many workers it has (mmi.service).
struct service_entry {
  caf::actor actor;
  size_t workers = 0;
  uint64_t requests_sent = 0;  // request_atoms sent to it: it is idle only once it had them all
};

/// A stop in progress.
struct stop_progress {
  bool active = false;
  bool done = false;
  uint64_t awaited_services = 0;  // services that did not answer how much they discarded yet
  bool drain_over = false;        // the drain time ran out (or nothing was in flight)
  std::chrono::milliseconds drain{0};
  stop_summary summary;
  caf::response_promise promise;
};

struct broker_state {
  std::shared_ptr<socket> sock;
  tree_config cfg;
  counters_ptr stats;
  std::shared_ptr<std::atomic<bool>> wake_pending = std::make_shared<std::atomic<bool>>(false);
  std::unordered_map<std::string, worker_entry> workers;    // by address_key
  std::unordered_map<std::string, service_entry> services;  // by name
  uint64_t services_refused = 0;                             // requests/READYs beyond max_services
  std::shared_ptr<std::atomic<bool>> gone_pending = std::make_shared<std::atomic<bool>>(false);
  bool recheck_peers = false;  // a connection closed: look once more at the next wake-up
  std::map<caf::actor_addr, std::string> worker_keys;       // worker actor -> address_key
  std::map<caf::actor_addr, std::string> service_names;     // service actor -> name
  std::vector<message> batch;                               // recv_batch's output, reused
  patterns::mdp::broker_inbound parsed;                     // the codec's output, reused
  uint64_t busy = 0;                                        // workers with a request
  stop_progress stopping;
  static inline const char* name = "cafmq.mdp.broker";
};

using broker_self = caf::stateful_actor<broker_state>*;

/// Sends `m` on the ROUTER, never waiting (a ROUTER drops what it cannot route).
void send_out(broker_self self, message m);
/// Reads one batch of what the ROUTER holds and handles it; returns how many messages.
size_t read_socket(broker_self self);
/// read_socket, waking itself if more may be there; then the peers check a close asked for.
void drain_socket(broker_self self);
/// Removes a worker: DISCONNECT first if `disconnect`, its actor ends, its service's count drops.
void remove_worker(broker_self self, const std::string& key, bool disconnect);
/// `service`'s REQUEST for worker `key` (which may have gone meanwhile: then requeued).
void dispatch(broker_self self, const std::string& service, const std::string& key,
              message& client, message& body);
/// The actors ended: a worker (expired or failed) or a service (failed).
void on_child_down(broker_self self, const caf::down_msg& dm);
/// A service said it has no worker and no queued request after `received` requests: retired
/// unless a request or a worker is on its way to it.
void on_service_idle(broker_self self, uint64_t received);
/// Removes the workers whose connection (their address's first frame) the ROUTER no longer has,
/// after reading what those connections sent before they closed.
void forget_departed(broker_self self);

// Stopping (mdp_broker_stop.cpp).
void begin_stop(broker_self self, std::chrono::milliseconds drain);
/// Finishes the stop once the services answered and nothing is in flight (or the drain ended).
void maybe_finish_stop(broker_self self);
/// The actor tree as a supervision_node (asks each service for its queue).
caf::result<supervision_node> describe_tree(broker_self self);

} // namespace cafmq::actors::mdp
