// Listener actor: one per bound endpoint. Accepts connections and supervises one session per
// accepted peer; a session that ends is simply forgotten (the peer reconnects if it wants to),
// so one bad peer never touches the others.
#include "actors/messages.hpp"
#include "runtime/core/log.hpp"

#include <unordered_set>

namespace cafmq::actors {

namespace {

struct listener_state {
  session_args args;
  std::shared_ptr<net::tcp_listener> listener;
  std::unordered_set<caf::actor> sessions;
  ~listener_state() {
    if (listener)
      listener->close();
    for (auto& s : sessions)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  }
};

caf::behavior listener(caf::stateful_actor<listener_state>* self, session_args args,
                       std::shared_ptr<net::tcp_listener> l) {
  self->state.args = std::move(args);
  self->state.listener = l;
  auto me = caf::actor_cast<caf::actor>(self);
  auto name = l->bound_endpoint();
  l->start([me, name](net::stream_ptr s, const std::string& error) {
    if (s)
      caf::anon_send(me, accepted_atom::value, std::move(s));
    else
      log::write(log::level::warn, "listener", name + ": accept failed: " + error);
  });
  self->set_down_handler([=](caf::down_msg& dm) { forget_child(self->state.sessions, dm); });
  return {
    [=](accepted_atom, net::stream_ptr s) {
      session_args a = self->state.args;
      a.pipe = new_pipe(a.socket);
      a.own_pipe = true;
      self->state.sessions.insert(spawn_session(self, std::move(a), std::move(s)));
    },
  };
}

} // namespace

caf::actor spawn_listener(caf::event_based_actor* parent, session_args args,
                          std::shared_ptr<net::tcp_listener> l) {
  return parent->spawn<caf::monitored>(listener, std::move(args), std::move(l));
}

} // namespace cafmq::actors
