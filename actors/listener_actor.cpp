// Listener actor: one per bound endpoint. Accepts connections and supervises one session per
// accepted peer; a session that ends is simply forgotten (the peer reconnects if it wants to),
// so one bad peer never touches the others. It also bounds the connections still in their
// handshake (max_pending_handshakes): one more closes the oldest of them, so half-open
// connections cost bounded memory and can never lock legitimate peers out (CVE-2020-15166).
#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "runtime/core/log.hpp"

#include <algorithm>
#include <deque>
#include <vector>

namespace cafmq::actors {

namespace {

using accept_failed_atom = caf::atom_constant<caf::atom("acceptfail")>;

struct listener_state {
  session_args args;
  net::listener_ptr listener;
  std::vector<caf::actor> sessions;  // in accept order, for introspection
  std::deque<caf::actor> pending;    // sessions still in their handshake, oldest first
  uint64_t evicted = 0;
  ~listener_state() {
    if (args.socket.handshakes)
      args.socket.handshakes->pending -= pending.size();
    if (listener)
      listener->close();
    for (auto& s : sessions)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    auto ev = event_of(event_kind::closed, args.endpoint);
    ev.reason = "listener stopped (socket closed)";
    ev.reason_code = event_reason::local;
    emit(args.socket, ev);
  }
};

using listener_actor = caf::stateful_actor<listener_state>;

// Forgets `s` as a pending handshake (it finished, ended or was evicted); false if it was not.
bool forget_pending(listener_actor* self, const caf::actor_addr& s) {
  auto& p = self->state.pending;
  auto i = std::find_if(p.begin(), p.end(), [&](const caf::actor& a) { return a.address() == s; });
  if (i == p.end())
    return false;
  p.erase(i);
  if (auto& c = self->state.args.socket.handshakes)
    --c->pending;
  return true;
}

// The cap is reached: the oldest pending handshake goes (the session reports handshake_failed
// with reason code `resource`), so a new connection always gets its chance. Stopping accept
// instead would let half-open connections lock out everyone until handshake_ivl.
void evict_oldest(listener_actor* self) {
  auto& st = self->state;
  auto victim = st.pending.front();
  forget_pending(self, victim.address());
  ++st.evicted;
  if (auto& c = st.args.socket.handshakes)
    ++c->evicted;
  auto cap = st.args.socket.options.max_pending_handshakes;
  std::string reason = "evicted: " + std::to_string(cap)
                       + " handshakes pending (max_pending_handshakes), the oldest closed to admit"
                         " a new connection";
  if ((st.evicted & (st.evicted - 1)) == 0)  // 1st, 2nd, 4th, 8th...: a flood logs little
    log::write(log::level::warn, "listener",
               st.args.endpoint + ": " + reason + " (" + std::to_string(st.evicted) + " so far)");
  caf::anon_send(victim, evict_atom::value, std::move(reason));
}

void on_accepted(listener_actor* self, net::stream_ptr s) {
  auto& st = self->state;
  bool track = st.args.socket.type != socket_type::stream;  // STREAM: no handshake
  if (track && st.pending.size() >= static_cast<size_t>(st.args.socket.options.max_pending_handshakes))
    evict_oldest(self);
  session_args a = st.args;
  a.loop = &net::loop_of(*s);  // the engine runs on the loop the connection was accepted onto
  a.listener = caf::actor_cast<caf::actor>(self);
  a.pipe = new_pipe(a.socket);
  a.own_pipe = true;
  a.connection_id = a.socket.monitor->next_connection_id();
  auto ev = event_of(event_kind::accepted, a.endpoint);
  ev.connection_id = a.connection_id;
  ev.local_endpoint = net::local_name(*s);
  ev.remote_endpoint = net::remote_name(*s);
  emit(a.socket, ev);
  auto session = spawn_session(self, std::move(a), std::move(s));
  if (track) {
    st.pending.push_back(session);
    if (auto& c = st.args.socket.handshakes)
      ++c->pending;
  }
  st.sessions.push_back(std::move(session));
}

caf::behavior listener(listener_actor* self, session_args args, const net::listener_ptr& l) {
  self->state.args = std::move(args);
  self->state.listener = l;
  auto me = caf::actor_cast<caf::actor>(self);
  l->start([me](net::stream_ptr s, const connection_end& end) {
    if (s)
      caf::anon_send(me, accepted_atom::value, std::move(s));
    else
      caf::anon_send(me, accept_failed_atom::value, end.detail, static_cast<int>(end.code));
  });
  self->set_down_handler([=](caf::down_msg& dm) {
    forget_pending(self, dm.source);
    forget_child(self->state.sessions, dm);
  });
  return {
    [=](accepted_atom, net::stream_ptr s) { on_accepted(self, std::move(s)); },
    [=](handshake_done_atom, const caf::actor& session) { forget_pending(self, session.address()); },
    [=](accept_failed_atom, const std::string& error, int code) {
      log::write(log::level::warn, "listener", self->state.args.endpoint + ": accept failed: " + error);
      auto ev = event_of(event_kind::accept_failed, self->state.args.endpoint);
      ev.reason = error;
      ev.reason_code = static_cast<event_reason>(code);
      emit(self->state.args.socket, ev);
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      supervision_node n;
      n.role = node_role::listener;
      n.state = node_state::listening;
      n.endpoint = self->state.args.endpoint;
      return describe_with_children(self, std::move(n), self->state.sessions);
    },
  };
}

} // namespace

caf::actor spawn_listener(caf::event_based_actor* parent, session_args args, net::listener_ptr l) {
  return parent->spawn<caf::monitored>(listener, std::move(args), std::move(l));
}

} // namespace cafmq::actors
