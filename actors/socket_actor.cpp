// Socket actor: one per socket. Handles the rare control calls (bind, connect) by spawning and
// supervising listeners and connectors; its end takes all of them down.
//
// Supervision strategy (OTP one_for_one, docs/reliability.md):
// - A listener or connector that dies abnormally (an exception in one of its handlers, a kill)
//   is restarted on the same endpoint (a listener on its bound address, so a resolved port is
//   kept; a connector on the same pipe, so what the user queued survives, or on a fresh pipe if
//   that one was detached), after a backoff of 50 ms doubling with each consecutive restart of
//   that child (at most 2 s; back to 50 ms once it has stayed up for `stable_after`), as long as
//   it has not died more than `restart_intensity` times within `restart_period_ms` (0: no
//   limit). Restart logs are rate-limited (the 1st, 2nd, 4th, 8th... of a child's run).
// - The socket actor owns the fate of its connectors' pipes: it detaches a pipe when it gives
//   the endpoint up, when the connector ends normally, and when the socket actor itself ends.
// - Beyond that, the endpoint is given up: a `closed` event with code restart_intensity, an error
//   log, and the failure is kept for describe() (a `failed` node) and stats() (failed_endpoints).
// - A connector that escalates (its sessions restarted too often) is given up the same way.
// - Every restart and failure is counted (stats().supervisor_restarts, last_failure). The socket
//   and its other endpoints carry on in every case.
// - What the user stops (socket::unbind, socket::disconnect) is forgotten before it ends, so it
//   is never restarted nor reported failed (actors/socket_endpoints.cpp).
#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "actors/socket_children.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/fault_injection.hpp"
#include "runtime/core/log.hpp"
#include "runtime/core/restart_intensity.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

namespace cafmq::actors {

namespace {

constexpr auto first_backoff = std::chrono::milliseconds(50);
constexpr auto max_backoff = std::chrono::milliseconds(2000);
constexpr auto stable_after = std::chrono::seconds(10);  // up this long: the backoff starts over
// The dead listener's acceptor closes asynchronously on the I/O thread: a rebind that finds the
// port still taken tries again this often, this many times, before it counts as a failure.
constexpr auto rebind_poll = std::chrono::milliseconds(20);
constexpr uint32_t rebind_polls = 25;

session_args session_template(socket_self self, const child_spec& c) {
  session_args a;
  a.socket = self->state.args;
  a.loop = self->state.loop;
  a.endpoint = c.endpoint;
  a.restarts = c.restarts;
  a.last_failure = c.last_failure;
  return a;
}

control_reply failure(const error& e) {
  return {static_cast<int>(e.code()), e.what()};
}

child_spec& new_child(socket_self self, bool is_listener, std::string endpoint) {
  auto& opts = self->state.args.options;
  auto& c = self->state.children
              .emplace(++self->state.last_id,
                       child_spec{is_listener, std::move(endpoint), {}, nullptr, {}, {},
                                  restart_intensity{static_cast<size_t>(opts.restart_intensity),
                                                    std::chrono::milliseconds(opts.restart_period_ms)},
                                  0, 0, restart_intensity::clock::now(), 0, {}, std::nullopt,
                                  false, std::nullopt, {}})
              .first->second;
  return c;
}

// Starts binding child `id`'s endpoint through its transport, on the home I/O thread (names
// resolve there, never on the actor thread); the outcome comes back as bound_atom.
void start_listener(socket_self self, uint64_t id, child_spec& c) {
  c.binding = true;
  socket_actor me{self};
  net::bind_endpoint(*self->state.loop, c.endpoint,
                     [me, id](net::listener_ptr l, const net::bind_failure& f) {
                       caf::anon_send(me, bound_atom::value, id, std::move(l), f);
                     },
                     self->state.args.options.ipv6);
}

// Spawns the connector of `c` (on its pipe, if it has one; a fresh one if it was detached).
void start_connector(socket_self self, child_spec& c) {
  bool fresh_pipe = c.pipe && c.pipe->detached();
  if (fresh_pipe)
    c.pipe = new_pipe(self->state.args);
  auto a = session_template(self, c);
  a.connect_routing_id = c.routing_id;
  a.pipe = c.pipe;
  a.reconnection = c.restarts > 0 && !fresh_pipe;
  auto h = spawn_connector(self, std::move(a), c.endpoint);
  c.running = describable{h};
  c.addr = h.address();
  c.started = restart_intensity::clock::now();
  if (fresh_pipe)
    self->state.args.hub->attach(c.pipe);
}


// The user's bind: answered once the transport has bound (or failed to).
caf::result<control_reply> bind(socket_self self, const std::string& ep) {
  CAFMQ_FAULT_POINT(socket_actor);
  auto& c = new_child(self, true, ep);
  c.requested = ep;
  auto reply = self->make_response_promise<control_reply>();
  c.bind_reply = reply;
  start_listener(self, self->state.last_id, c);
  return reply;
}

control_reply connect(socket_self self, const std::string& ep, const std::string& routing_id) {
  CAFMQ_FAULT_POINT(socket_actor);
  auto& c = new_child(self, false, ep);
  c.requested = ep;
  try {
    c.routing_id = routing_id;
    if (!pipe_per_connection(self->state.args))
      c.pipe = new_pipe(self->state.args);
    start_connector(self, c);
    if (c.pipe)
      self->state.args.hub->attach(c.pipe);  // the queue exists before the connection, as in libzmq
    return {-1, ep};
  } catch (const error& e) {
    self->state.children.erase(self->state.last_id);
    return failure(e);
  }
}

// Records a failure the socket's supervisors handled, for stats().
void record_failure(socket_self self, const std::string& text, bool restart) {
  auto& rec = *self->state.args.supervision;
  std::lock_guard<std::mutex> guard{rec.mtx};
  rec.last_failure = text;
  if (restart)
    ++rec.restarts;
}

// Gives up on the endpoint of child `id`: reports why, keeps it for describe() and stats().
void give_up(socket_self self, uint64_t id, event_reason code, const std::string& why) {
  auto& st = self->state;
  auto i = st.children.find(id);
  if (i == st.children.end())
    return;
  auto& c = i->second;
  drop_pipe(self, c);
  log::write(log::level::error, "socket", c.endpoint + ": given up: " + why);
  {  // recorded before the event: stats() read on the event sees the failed endpoint
    auto& rec = *st.args.supervision;
    std::lock_guard<std::mutex> guard{rec.mtx};
    rec.last_failure = c.endpoint + ": " + why;
    rec.failed_endpoints.push_back({c.endpoint, why});
  }
  auto ev = event_of(event_kind::closed, c.endpoint);
  ev.reason = why;
  ev.reason_code = code;
  emit(st.args, ev);
  supervision_node n;
  n.role = c.is_listener ? node_role::listener : node_role::connector;
  n.state = node_state::failed;
  n.endpoint = c.endpoint;
  n.restarts = c.restarts;
  n.last_failure = why;
  st.given_up.push_back(std::move(n));
  st.children.erase(i);
}

// 50 ms for the first of consecutive restarts, doubling up to 2 s.
std::chrono::milliseconds backoff_of(const child_spec& c) {
  auto n = std::min<uint32_t>(c.consecutive, 7);
  return std::min(first_backoff * (1 << (n > 0 ? n - 1 : 0)), max_backoff);
}

// Child `id` died of `text`: restart it after a backoff, within the restart intensity, or give
// it up.
void child_failed(socket_self self, uint64_t id, const std::string& text) {
  auto& st = self->state;
  auto& c = st.children.at(id);
  const char* kind = c.is_listener ? "listener" : "connector";
  if (!c.intensity.allow(restart_intensity::clock::now()))
    return give_up(self, id, event_reason::restart_intensity,
                   std::string(kind) + " died more than " + std::to_string(st.args.options.restart_intensity)
                     + " times within " + std::to_string(st.args.options.restart_period_ms)
                     + " ms (restart_intensity); last: " + text);
  auto now = restart_intensity::clock::now();
  if (now - c.started >= stable_after)
    c.consecutive = 0;  // it had been up a while: not part of a crash loop
  ++c.restarts;
  ++c.consecutive;
  c.last_failure = text;
  record_failure(self, c.endpoint + ": " + text, true);
  auto wait = backoff_of(c);
  if ((c.consecutive & (c.consecutive - 1)) == 0)  // 1st, 2nd, 4th, 8th...: a crash loop logs little
    log::write(log::level::warn, "socket", c.endpoint + ": " + kind + " died (" + text + "); restarting in "
                                             + std::to_string(wait.count()) + " ms ("
                                             + std::to_string(c.consecutive) + " consecutive restarts)");
  self->delayed_send(self, wait, rebind_atom::value, c.endpoint, id);
}

// A child is gone: forget it if it ended normally, give it up if it escalated, else restart it.
void on_child_down(socket_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto i = std::find_if(st.children.begin(), st.children.end(),
                        [&](const auto& kv) { return kv.second.addr == dm.source; });
  if (i == st.children.end())
    return;
  auto id = i->first;
  auto& c = i->second;
  c.running = describable{};
  c.addr = caf::actor_addr{};
  if (c.escalated)
    return give_up(self, id, *c.escalated, c.last_failure);
  if (!abnormal(dm.reason)) {
    drop_pipe(self, c);
    st.children.erase(i);
    return;
  }
  child_failed(self, id, failure_text(dm.reason));
}

// The backoff is over: start the child again (a listener that cannot rebind counts as
// another failure).
void restart(socket_self self, uint64_t id) {
  auto& st = self->state;
  auto i = st.children.find(id);
  if (i == st.children.end() || i->second.running || i->second.binding)
    return;
  auto& c = i->second;
  c.started = restart_intensity::clock::now();  // a rebind that fails is not "up for a while"
  if (c.is_listener)
    start_listener(self, id, c);
  else
    start_connector(self, c);
}

// A bind of child `id` ended: spawn its listener actor, or report the failure (to the user's
// bind, or as another failure of a listener being restarted; a port still held by the dead
// listener's acceptor, whose close is asynchronous, is polled a few times first).
void on_bound(socket_self self, uint64_t id, net::listener_ptr l, const net::bind_failure& f) {
  auto& st = self->state;
  auto i = st.children.find(id);
  if (i == st.children.end()) {
    if (l)
      l->close();
    return;
  }
  auto& c = i->second;
  c.binding = false;
  auto reply = std::move(c.bind_reply);
  c.bind_reply.reset();
  if (!l) {
    if (!reply) {
      if (f.code == errc::address_in_use && ++c.rebind_polls < rebind_polls) {
        self->delayed_send(self, rebind_poll, rebind_atom::value, c.endpoint, id);  // still closing?
        return;
      }
      c.rebind_polls = 0;
      return child_failed(self, id, "rebind failed: " + f.detail);
    }
    auto ev = event_of(event_kind::bind_failed, c.endpoint);
    ev.reason = f.detail;
    ev.reason_code = f.reason;
    emit(st.args, ev);
    st.children.erase(i);
    reply->deliver(control_reply{static_cast<int>(f.code), f.detail});
    return;
  }
  if (reply)
    c.endpoint = l->bound_endpoint();  // the real port, kept across restarts
  auto h = spawn_listener(self, session_template(self, c), std::move(l));
  c.running = describable{h};
  c.addr = h.address();
  c.started = restart_intensity::clock::now();
  c.rebind_polls = 0;
  log::write(log::level::info, "socket", (reply ? "listening on " : "listening again on ") + c.endpoint);
  emit(st.args, event_of(event_kind::listening, c.endpoint));
  if (reply)
    reply->deliver(control_reply{-1, c.endpoint});
}

// A connector gave up (restart intensity of its sessions): it quits next; give it up then.
void on_escalation(socket_self self, event_reason code, const std::string& why) {
  auto sender = self->current_sender();
  for (auto& [id, c] : self->state.children)
    if (c.addr == sender) {
      c.escalated = code;
      c.last_failure = why;
      return;
    }
}

socket_actor::behavior_type socket_behavior(socket_self self, socket_args args, net::io_loop* loop) {
  self->state.args = std::move(args);
  self->state.loop = loop;
  // An exception kills the socket actor (the root supervisor does not restart it): mark the
  // socket failed first, so the control call that threw already reports why.
  guard_handlers(self, "socket actor", [self](const std::string& text) {
    auto& rec = *self->state.args.supervision;
    {
      std::lock_guard<std::mutex> guard{rec.mtx};
      rec.socket_failure = "the socket's actor failed: " + text;
      rec.last_failure = rec.socket_failure;
    }
    rec.failed.store(true, std::memory_order_release);
  });
  self->set_down_handler([=](caf::down_msg& dm) { on_child_down(self, dm); });
  return {
    [=](bind_atom, const std::string& ep) -> caf::result<control_reply> { return bind(self, ep); },
    [=](bound_atom, uint64_t id, net::listener_ptr& l, const net::bind_failure& f) {
      on_bound(self, id, std::move(l), f);
    },
    [=](connect_atom, const std::string& ep, const std::string& routing_id) -> control_reply {
      return connect(self, ep, routing_id);
    },
    [=](unbind_atom, const std::string& ep) -> caf::result<control_reply> {
      return stop_endpoint(self, true, ep);
    },
    [=](disconnect_atom, const std::string& ep) -> caf::result<control_reply> {
      return stop_endpoint(self, false, ep);
    },
    [=](options_atom, socket_options& o) -> control_reply {
      self->state.args.options = std::move(o);  // validated by the socket; for later binds and connects
      return {-1, {}};
    },
    [=](rebind_atom, const std::string&, uint64_t id) { restart(self, id); },
    [=](escalate_atom, const std::string&, event_reason code, const std::string& why) {
      on_escalation(self, code, why);
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      if (killed_by_fault(self, fault::point::socket_actor))
        return caf::make_error(caf::sec::runtime_error, "killed by fault injection");
      auto& st = self->state;
      supervision_node n;
      n.role = node_role::socket;
      n.endpoint = std::string(zmtp_name(st.args.type));
      {
        auto& rec = *st.args.supervision;
        std::lock_guard<std::mutex> guard{rec.mtx};
        n.restarts = static_cast<uint32_t>(rec.restarts);
        n.last_failure = rec.last_failure;
      }
      n.children = st.given_up;
      std::vector<describable> running;
      for (auto& [id, c] : st.children)
        if (c.running)
          running.push_back(c.running);
      return describe_with_children(self, std::move(n), running);
    },
  };
}

} // namespace

socket_actor spawn_socket(caf::local_actor* parent, socket_args args, net::io_loop* loop) {
  auto census = args.census;
  return counted(census, parent->spawn<caf::monitored>(socket_behavior, std::move(args), loop));
}

} // namespace cafmq::actors
