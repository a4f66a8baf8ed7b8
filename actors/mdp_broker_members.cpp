// The broker actor's members coming and going: workers removed (DISCONNECT, expiry, a closed
// connection, a failed actor) and services retired once they hold nothing, so max_services and
// max_workers bound what is live, not what ever was.
#include "actors/mdp_broker_state.hpp"

#include "runtime/core/log.hpp"

#include <unordered_set>

namespace cafmq::actors::mdp {

namespace mdpc = patterns::mdp;

namespace {

// Batches read before the peers check: what closed connections sent comes first, without
// letting a flood hold the check back for long.
constexpr int departed_read_batches = 16;

} // namespace

void remove_worker(broker_self self, const std::string& key, bool disconnect) {
  auto& st = self->state;
  auto i = st.workers.find(key);
  if (i == st.workers.end())
    return;
  auto w = std::move(i->second);
  st.workers.erase(i);
  if (disconnect) {
    send_out(self, mdpc::broker_signal(w.address, mdpc::command::disconnect));
    bump(st.stats->disconnects_sent);
  }
  if (w.live->busy.load(std::memory_order_relaxed)) {
    --st.busy;  // its request is lost: the client retries (RFC 7)
    if (st.stopping.active)
      ++st.stopping.summary.unanswered;
  }
  st.worker_keys.erase(w.actor.address());
  self->send(w.actor, leave_atom::value);
  auto s = st.services.find(w.service);
  if (s != st.services.end() && s->second.workers > 0)
    --s->second.workers;
  st.stats->workers.fetch_sub(1, std::memory_order_relaxed);
  if (st.stopping.active)
    maybe_finish_stop(self);
}

void on_child_down(broker_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto w = st.worker_keys.find(dm.source);
  if (w != st.worker_keys.end()) {
    auto key = w->second;
    if (dm.reason && dm.reason != worker_expired())
      log::write(log::level::error, "mdp.broker", "a worker actor failed: " + caf::to_string(dm.reason));
    remove_worker(self, key, dm.reason != worker_expired());  // a silent worker gets nothing more
    return;
  }
  auto s = st.service_names.find(dm.source);
  if (s == st.service_names.end())
    return;  // a retired service (forgotten when it was retired)
  auto name = s->second;
  st.service_names.erase(s);
  st.services.erase(name);
  st.stats->services.fetch_sub(1, std::memory_order_relaxed);
  if (!dm.reason)
    return;
  // Its queue is lost; its workers are told to register again (RFC 7: they reconnect).
  log::write(log::level::error, "mdp.broker",
             "the actor of service '" + name + "' failed (" + caf::to_string(dm.reason)
               + "): its queued requests are lost, its workers get DISCONNECT");
  std::vector<std::string> keys;
  for (auto& [key, entry] : st.workers)
    if (entry.service == name)
      keys.push_back(key);
  for (auto& key : keys)
    remove_worker(self, key, true);
}

void on_service_idle(broker_self self, uint64_t received) {
  auto& st = self->state;
  if (st.stopping.active)
    return;  // the stop counts on every service answering
  auto n = st.service_names.find(self->current_sender() ? self->current_sender()->address()
                                                         : caf::actor_addr());
  if (n == st.service_names.end())
    return;
  auto s = st.services.find(n->second);
  // A worker registered since, or a request on its way (sent after it spoke): it stays.
  if (s == st.services.end() || s->second.workers > 0 || s->second.requests_sent != received)
    return;
  self->send(s->second.actor, leave_atom::value);
  st.services.erase(s);
  st.service_names.erase(n);
  st.stats->services.fetch_sub(1, std::memory_order_relaxed);
  bump(st.stats->services_retired);
}

void forget_departed(broker_self self) {
  auto& st = self->state;
  if (st.workers.empty() || st.stopping.done)
    return;
  for (int i = 0; i < departed_read_batches; ++i)
    if (read_socket(self) == 0)
      break;
  std::unordered_set<std::string> up;
  try {
    auto peers = st.sock->stats().peers;
    up.reserve(peers.size());
    for (auto& p : peers)
      if (p.connected)
        up.insert(std::move(p.routing_id));
  } catch (const error& e) {
    log::write(log::level::warn, "mdp.broker", std::string("cannot list the ROUTER's peers: ") + e.what());
    return;
  }
  std::vector<std::string> gone;
  for (auto& [key, w] : st.workers)
    if (w.address.empty() || up.count(w.address[0].to_string()) == 0)
      gone.push_back(key);
  for (auto& key : gone) {
    bump(st.stats->workers_departed);
    remove_worker(self, key, false);  // nobody to tell
  }
}

} // namespace cafmq::actors::mdp
