// Listener actor: one per bound endpoint. Accepts connections and supervises one session per
// accepted peer; a session that ends is simply forgotten (the peer reconnects if it wants to),
// so one bad peer never touches the others.
#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "runtime/core/log.hpp"

#include <vector>

namespace cafmq::actors {

namespace {

using accept_failed_atom = caf::atom_constant<caf::atom("acceptfail")>;

struct listener_state {
  session_args args;
  std::shared_ptr<net::tcp_listener> listener;
  std::vector<caf::actor> sessions;  // in accept order, for introspection
  ~listener_state() {
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

void on_accepted(listener_actor* self, net::stream_ptr s) {
  session_args a = self->state.args;
  a.pipe = new_pipe(a.socket);
  a.own_pipe = true;
  a.connection_id = a.socket.monitor->next_connection_id();
  auto ev = event_of(event_kind::accepted, a.endpoint);
  ev.connection_id = a.connection_id;
  ev.local_endpoint = net::local_name(*s);
  ev.remote_endpoint = net::remote_name(*s);
  emit(a.socket, ev);
  self->state.sessions.push_back(spawn_session(self, std::move(a), std::move(s)));
}

caf::behavior listener(listener_actor* self, session_args args,
                       const std::shared_ptr<net::tcp_listener>& l) {
  self->state.args = std::move(args);
  self->state.listener = l;
  auto me = caf::actor_cast<caf::actor>(self);
  l->start([me](net::stream_ptr s, const std::string& error) {
    if (s)
      caf::anon_send(me, accepted_atom::value, std::move(s));
    else
      caf::anon_send(me, accept_failed_atom::value, error);
  });
  self->set_down_handler([=](caf::down_msg& dm) { forget_child(self->state.sessions, dm); });
  return {
    [=](accepted_atom, net::stream_ptr s) { on_accepted(self, std::move(s)); },
    [=](accept_failed_atom, const std::string& error) {
      log::write(log::level::warn, "listener", self->state.args.endpoint + ": accept failed: " + error);
      auto ev = event_of(event_kind::accept_failed, self->state.args.endpoint);
      ev.reason = error;
      ev.reason_code = event_reason::io;
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

caf::actor spawn_listener(caf::event_based_actor* parent, session_args args,
                          std::shared_ptr<net::tcp_listener> l) {
  return parent->spawn<caf::monitored>(listener, std::move(args), std::move(l));
}

} // namespace cafmq::actors
