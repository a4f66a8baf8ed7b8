// The broker actor's stop (drain) and its describe(): both fan out to the service actors and
// answer once every service did.
#include "actors/mdp_broker_state.hpp"

#include "runtime/core/log.hpp"

#include <cstdio>

namespace cafmq::actors::mdp {

namespace mdpc = patterns::mdp;

namespace {

constexpr auto child_timeout = std::chrono::seconds(5);

// A routing id as text: printable bytes as they are, otherwise hex.
std::string printable(const message& address) {
  std::string out;
  for (size_t i = 0; i < address.size(); ++i) {
    auto v = address[i].view();
    bool text = !v.empty();
    for (unsigned char c : v)
      text = text && c >= 0x20 && c < 0x7f;
    if (i > 0)
      out += '/';
    if (text) {
      out += v;
      continue;
    }
    char hex[3];
    for (unsigned char c : v) {
      std::snprintf(hex, sizeof hex, "%02x", c);
      out += hex;
    }
  }
  return out;
}

void finish_stop(broker_self self) {
  auto& st = self->state;
  auto& sp = st.stopping;
  sp.done = true;
  sp.summary.unanswered += st.busy;
  for (auto& [key, w] : st.workers) {
    send_out(self, mdpc::broker_signal(w.address, mdpc::command::disconnect));
    bump(st.stats->disconnects_sent);
    ++sp.summary.workers_disconnected;
    self->send(w.actor, leave_atom::value);
  }
  st.workers.clear();
  st.worker_keys.clear();
  st.busy = 0;
  st.stats->workers.store(0, std::memory_order_relaxed);
  for (auto& [name, s] : st.services)
    self->send(s.actor, leave_atom::value);
  sp.summary.final_stats = st.stats->snapshot();
  sp.promise.deliver(sp.summary);
  self->quit();
}

} // namespace

void begin_stop(broker_self self, std::chrono::milliseconds drain) {
  auto& st = self->state;
  auto& sp = st.stopping;
  sp.active = true;
  sp.drain = drain;
  sp.summary.in_flight = st.busy;
  sp.awaited_services = st.services.size();
  for (auto& [name, s] : st.services) {
    self->request(s.actor, child_timeout, stop_atom::value)
      .then(
        [self](uint64_t discarded) {
          self->state.stopping.summary.discarded += discarded;
          --self->state.stopping.awaited_services;
          maybe_finish_stop(self);
        },
        [self](caf::error&) {
          --self->state.stopping.awaited_services;
          maybe_finish_stop(self);
        });
  }
  if (drain.count() > 0 && st.busy > 0)
    self->delayed_send(self, drain, drain_atom::value);
  else
    sp.drain_over = true;
  maybe_finish_stop(self);
}

void maybe_finish_stop(broker_self self) {
  auto& sp = self->state.stopping;
  if (!sp.active || sp.done || sp.awaited_services > 0)
    return;
  if (self->state.busy > 0 && !sp.drain_over)
    return;
  finish_stop(self);
}

caf::result<supervision_node> describe_tree(broker_self self) {
  auto& st = self->state;
  struct gather {
    supervision_node root;
    size_t left = 0;
  };
  auto g = std::make_shared<gather>();
  g->root.role = node_role::broker;
  g->root.endpoint = st.sock->last_endpoint();
  g->root.detail = "services " + std::to_string(st.services.size()) + ", workers "
                   + std::to_string(st.workers.size()) + ", busy " + std::to_string(st.busy);
  try {
    g->root.children.push_back(st.sock->describe());
  } catch (const error& e) {
    g->root.last_failure = e.what();
  }
  if (st.services.empty())
    return g->root;
  g->left = st.services.size();
  auto rp = self->make_response_promise<supervision_node>();
  for (auto& [name, s] : st.services) {
    auto add = [self, g, rp, name = name](supervision_node n) mutable {
      for (auto& [key, w] : self->state.workers) {
        if (w.service != name)
          continue;
        supervision_node wn;
        wn.role = node_role::worker;
        wn.endpoint = printable(w.address);
        wn.detail = w.live->busy.load(std::memory_order_relaxed) ? "busy" : "idle";
        n.children.push_back(std::move(wn));
      }
      g->root.children.push_back(std::move(n));
      if (--g->left == 0)
        rp.deliver(g->root);
    };
    self->request(s.actor, child_timeout, describe_atom::value)
      .then([add](supervision_node& n) mutable { add(std::move(n)); },
            [add, name = name](caf::error&) mutable {
              supervision_node n;
              n.role = node_role::service;
              n.state = node_state::unresponsive;
              n.endpoint = name;
              add(std::move(n));
            });
  }
  return rp;
}

} // namespace cafmq::actors::mdp
