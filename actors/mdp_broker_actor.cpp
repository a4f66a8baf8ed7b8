// The Majordomo broker actor: reads the ROUTER when its readiness callback wakes it, parses each
// message with the MDP codec and routes it: client requests to their service's actor (mmi.*
// answered here), worker commands to the worker's bookkeeping. The only actor that uses the
// socket: its children send what they want sent (out_atom, dispatch_atom).
#include "actors/mdp_broker_state.hpp"

#include "runtime/core/log.hpp"

namespace cafmq::actors::mdp {

namespace mdpc = patterns::mdp;

broker_stats counters::snapshot() const {
  auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  broker_stats s;
  s.services = get(services);
  s.services_retired = get(services_retired);
  s.workers = get(workers);
  s.workers_refused = get(workers_refused);
  s.workers_departed = get(workers_departed);
  s.requests_received = get(received);
  s.requests_dispatched = get(dispatched);
  s.replies_answered = get(answered);
  s.requests_expired = get(expired);
  s.requests_dropped = get(dropped);
  s.mmi_answered = get(mmi);
  s.malformed = get(malformed);
  s.heartbeats_sent = get(heartbeats_sent);
  s.heartbeats_received = get(heartbeats_received);
  s.disconnects_sent = get(disconnects_sent);
  s.workers_expired = get(workers_expired);
  return s;
}

std::string address_key(const message& address) {
  std::string key;
  for (size_t i = 0; i < address.size(); ++i) {
    auto v = address[i].view();
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return key;
}

void send_out(broker_self self, message m) {
  try {
    self->state.sock->send(std::move(m), std::chrono::milliseconds(0));
  } catch (const error& e) {
    log::write(log::level::warn, "mdp.broker", std::string("send failed: ") + e.what());
  }
}

namespace {

constexpr size_t batch_max = 256;

// A malformed message: counted, logged (the first few, then every thousandth), never fatal.
void note_malformed(broker_self self, mdpc::fault f, bool from_worker) {
  auto n = self->state.stats->malformed.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n <= 10 || n % 1000 == 0)
    log::write(log::level::warn, "mdp.broker",
               std::string("malformed ") + (from_worker ? "worker" : "client") + " message #"
                 + std::to_string(n) + " dropped: " + mdpc::fault_text(f));
}

// An invalid or out-of-order worker message: DISCONNECT, and the worker is forgotten (RFC 7).
void reject_worker(broker_self self, const message& sender, const std::string& key) {
  if (self->state.workers.count(key) != 0) {
    remove_worker(self, key, true);
    return;
  }
  send_out(self, mdpc::broker_signal(sender, mdpc::command::disconnect));
  bump(self->state.stats->disconnects_sent);
}

service_entry& service_for(broker_self self, const std::string& name) {
  auto& st = self->state;
  auto i = st.services.find(name);
  if (i != st.services.end())
    return i->second;
  service_entry e;
  e.actor = spawn_service(self, name, st.cfg, st.stats);
  self->monitor(e.actor);
  st.service_names[e.actor.address()] = name;
  bump(st.stats->services);
  return st.services.emplace(name, std::move(e)).first->second;
}

// RFC 8: mmi.service answers 200 if the service named in the body has workers, else 404; any
// other mmi.* 501.
void answer_mmi(broker_self self, const message& client, const std::string& service, const message& body) {
  auto& st = self->state;
  std::string code = "501";
  if (service == "mmi.service") {
    auto name = body.empty() ? std::string() : body[0].to_string();
    auto i = st.services.find(name);
    code = i != st.services.end() && i->second.workers > 0 ? "200" : "404";
  }
  bump(st.stats->mmi);  // counted before it is sent: a client that has the reply sees the count
  send_out(self, mdpc::broker_reply(client, service, message{std::string_view(code)}));
}

// A new service beyond max_services: refused (the first refusal and then every 2^k-th logged).
bool over_service_cap(broker_self self, const std::string& name, const char* what) {
  auto& st = self->state;
  if (st.services.size() < st.cfg.max_services || st.services.count(name) != 0)
    return false;
  auto n = ++st.services_refused;
  if ((n & (n - 1)) == 0)
    log::write(log::level::warn, "mdp.broker",
               std::string(what) + " for a new service refused: max_services ("
                 + std::to_string(st.cfg.max_services) + ") services exist (" + std::to_string(n)
                 + " refused so far)");
  return true;
}

void on_client(broker_self self, mdpc::broker_inbound& in) {
  auto& st = self->state;
  if (st.stopping.active) {
    bump(st.stats->dropped);
    return;
  }
  bump(st.stats->received);
  auto& service = in.client.service;
  if (service.compare(0, 4, "mmi.") == 0) {
    answer_mmi(self, in.sender, service, in.client.body);
    return;
  }
  if (over_service_cap(self, service, "a request")) {
    bump(st.stats->dropped);
    return;
  }
  auto& svc = service_for(self, service);
  ++svc.requests_sent;
  self->send(svc.actor, request_atom::value, std::move(in.sender), std::move(in.client.body));
}

// A READY beyond max_workers: DISCONNECT (the first refusal and then every 2^k-th logged).
bool over_worker_cap(broker_self self) {
  auto& st = self->state;
  if (st.workers.size() < st.cfg.max_workers)
    return false;
  auto n = st.stats->workers_refused.fetch_add(1, std::memory_order_relaxed) + 1;
  if ((n & (n - 1)) == 0)
    log::write(log::level::warn, "mdp.broker",
               "a READY refused: max_workers (" + std::to_string(st.cfg.max_workers)
                 + ") workers are registered (" + std::to_string(n) + " refused so far)");
  return true;
}

void on_ready(broker_self self, mdpc::broker_inbound& in, const std::string& key) {
  auto& st = self->state;
  auto& name = in.worker.service;
  if (st.workers.count(key) != 0 || name.compare(0, 4, "mmi.") == 0 || st.stopping.active
      || over_worker_cap(self) || over_service_cap(self, name, "a READY")) {
    reject_worker(self, in.sender, key);  // READY twice, a reserved name, stopping, or too many
    return;
  }
  worker_entry w;
  w.address = in.sender;
  w.service = name;
  w.live = std::make_shared<liveness>();
  w.live->last_seen.store(now_ticks(), std::memory_order_relaxed);
  w.actor = spawn_worker(self, w.address, w.live, st.cfg, st.stats);
  self->monitor(w.actor);
  st.worker_keys[w.actor.address()] = key;
  auto& svc = service_for(self, name);
  ++svc.workers;
  bump(st.stats->workers);
  self->send(svc.actor, ready_atom::value, key, w.actor);
  st.workers.emplace(key, std::move(w));
}

void on_reply(broker_self self, mdpc::broker_inbound& in, worker_entry& w, const std::string& key) {
  auto& st = self->state;
  if (!w.live->busy.load(std::memory_order_relaxed)) {
    reject_worker(self, in.sender, key);  // a REPLY to no REQUEST
    return;
  }
  w.live->busy.store(false, std::memory_order_relaxed);
  --st.busy;
  bump(st.stats->answered);
  send_out(self, mdpc::broker_reply(in.worker.client, w.service, in.worker.body));
  if (st.stopping.active) {
    ++st.stopping.summary.answered_while_draining;
    maybe_finish_stop(self);
    return;
  }
  self->send(st.services[w.service].actor, ready_atom::value, key, w.actor);
}

void on_worker(broker_self self, mdpc::broker_inbound& in) {
  auto& st = self->state;
  auto key = address_key(in.sender);
  auto i = st.workers.find(key);
  if (i != st.workers.end())
    i->second.live->last_seen.store(now_ticks(), std::memory_order_relaxed);
  switch (in.worker.cmd) {
    case mdpc::command::ready:
      on_ready(self, in, key);
      return;
    case mdpc::command::reply:
      if (i == st.workers.end())
        reject_worker(self, in.sender, key);
      else
        on_reply(self, in, i->second, key);
      return;
    case mdpc::command::heartbeat:
      bump(st.stats->heartbeats_received);
      if (i == st.workers.end())
        reject_worker(self, in.sender, key);  // a HEARTBEAT before READY
      return;
    case mdpc::command::disconnect:
      if (i != st.workers.end())
        remove_worker(self, key, false);
      return;
    case mdpc::command::request:
      return;  // refused by the codec (wrong_direction)
  }
}

void handle(broker_self self, const message& m) {
  auto& st = self->state;
  auto f = mdpc::parse_broker_inbound(m, st.parsed);
  if (f != mdpc::fault::none) {
    note_malformed(self, f, st.parsed.from_worker);
    if (st.parsed.from_worker && !st.parsed.sender.empty())
      reject_worker(self, st.parsed.sender, address_key(st.parsed.sender));
    return;
  }
  if (st.parsed.from_worker)
    on_worker(self, st.parsed);
  else
    on_client(self, st.parsed);
}

} // namespace

size_t read_socket(broker_self self) {
  auto& st = self->state;
  if (!st.sock || st.stopping.done)
    return 0;
  st.batch.clear();
  size_t n = 0;
  try {
    n = st.sock->recv_batch(st.batch, batch_max);
  } catch (const error& e) {
    log::write(log::level::error, "mdp.broker", std::string("the ROUTER failed: ") + e.what());
    return 0;
  }
  for (auto& m : st.batch)
    handle(self, m);
  st.batch.clear();
  return n;
}

namespace {

// Whether the ROUTER holds more now. A short batch does not mean empty: the readiness refresh
// that ends recv_batch (and each send) may take a message that arrived meanwhile ahead, with no
// wake-up for it, since the arrival found the wake-up spent. events() either finds it (poll_in)
// or arms the wake-up for the next one.
bool more_to_read(broker_self self, size_t n) {
  auto& st = self->state;
  if (n == batch_max)
    return true;
  if (!st.sock || st.stopping.done)
    return false;
  try {
    return (st.sock->events() & poll_in) != 0;
  } catch (const error& e) {
    log::write(log::level::error, "mdp.broker", std::string("the ROUTER failed: ") + e.what());
    return false;
  }
}

} // namespace

void drain_socket(broker_self self) {
  auto& st = self->state;
  // More left behind gets no callback: come back after the mailbox (children's sends, timers)
  // had its turn.
  if (more_to_read(self, read_socket(self)) && !st.wake_pending->exchange(true, std::memory_order_acq_rel))
    self->send(self, wake_atom::value);
  if (st.recheck_peers) {
    st.recheck_peers = false;
    forget_departed(self);
  }
}

void dispatch(broker_self self, const std::string& service, const std::string& key,
              message& client, message& body) {
  auto& st = self->state;
  auto i = st.workers.find(key);
  if (st.stopping.active) {
    ++st.stopping.summary.discarded;  // taken from the queue as the stop began
    if (i != st.workers.end())
      maybe_finish_stop(self);
    return;
  }
  // The worker left meanwhile, or it is busy (a stale waiting entry of a worker that sent
  // DISCONNECT and READY again under the same routing id): the request goes back.
  if (i == st.workers.end() || i->second.live->busy.load(std::memory_order_relaxed)) {
    auto s = st.services.find(service);
    if (s != st.services.end()) {
      ++s->second.requests_sent;
      self->send(s->second.actor, request_atom::value, std::move(client), std::move(body));
    }
    return;
  }
  auto& w = i->second;
  w.live->busy.store(true, std::memory_order_relaxed);
  ++st.busy;
  bump(st.stats->dispatched);
  send_out(self, mdpc::broker_request(w.address, client, body));
}

caf::actor spawn_broker(caf::actor_system& system, const broker_args& args) {
  // The state comes as a spawn argument, not a capture: CAF 0.17 dereferences a null
  // shared_ptr<tuple<>> for a function spawned without arguments (UBSan reports it).
  return system.spawn([](broker_self self, const broker_args& args) -> caf::behavior {
    auto& st = self->state;
    st.sock = args.sock;
    st.cfg = args.cfg;
    st.stats = args.stats;
    auto flag = st.wake_pending;
    auto gone = st.gone_pending;
    caf::actor_addr me = self->address();
    // On the context's event thread: a closed connection may have been a worker's (one
    // gone_atom in the mailbox at most).
    st.sock->add_event_callback([gone, me](const monitor_event& e) {
      if (e.kind != event_kind::disconnected || gone->exchange(true, std::memory_order_acq_rel))
        return;
      if (auto strong = caf::actor_cast<caf::actor>(me))
        caf::anon_send(strong, gone_atom::value);
    });
    // On an I/O thread: one wake_atom in the mailbox at most, to a handle that never keeps the
    // actor alive.
    st.sock->set_readiness_callback([flag, me] {
      if (flag->exchange(true, std::memory_order_acq_rel))
        return;
      if (auto strong = caf::actor_cast<caf::actor>(me))
        caf::anon_send(strong, wake_atom::value);
    });
    self->set_down_handler([self](caf::down_msg& dm) { on_child_down(self, dm); });
    self->send(self, wake_atom::value);  // what came before the callback was armed
    return {
      [self](wake_atom) {
        self->state.wake_pending->store(false, std::memory_order_release);
        drain_socket(self);
      },
      [self](out_atom, message& m) {
        if (!self->state.stopping.done)
          send_out(self, std::move(m));
      },
      [self](dispatch_atom, std::string& service, std::string& key, message& client, message& body) {
        dispatch(self, service, key, client, body);
      },
      [self](call_atom, std::function<void(socket&)>& fn) { fn(*self->state.sock); },
      [self](describe_atom) { return describe_tree(self); },
      [self](stop_atom, caf::timespan drain) {
        auto& sp = self->state.stopping;
        if (sp.active) {
          self->make_response_promise().deliver(sp.summary);
          return;
        }
        sp.promise = self->make_response_promise();
        begin_stop(self, std::chrono::duration_cast<std::chrono::milliseconds>(drain));
      },
      [self](drain_atom) {
        self->state.stopping.drain_over = true;
        maybe_finish_stop(self);
      },
      [self](idle_atom, uint64_t received) { on_service_idle(self, received); },
      [self](gone_atom) {
        auto& st = self->state;
        st.gone_pending->store(false, std::memory_order_release);
        // The session reports the close before it detaches its pipe (and wakes the socket):
        // look now, and once more at that wake-up.
        st.recheck_peers = true;
        forget_departed(self);
      },
    };
  }, args);
}

} // namespace cafmq::actors::mdp
