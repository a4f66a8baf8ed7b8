// Connector actor: one per connect endpoint. Owns the endpoint's pipe (its queue survives
// reconnects, like libzmq's), dials, supervises the session and redials after reconnect_ivl when
// the connection drops or cannot be made. A permanent failure (ERROR, protocol violation) stops
// redialling (RFC 23: no reconnect with the same credentials after ERROR).
#include "actors/messages.hpp"
#include "runtime/core/endpoint.hpp"
#include "runtime/core/log.hpp"

#include <chrono>

namespace cafmq::actors {

namespace {

struct connector_state {
  session_args args;
  endpoint target;
  std::string name;
  std::function<void()> cancel_dial;
  caf::actor session;
  uint64_t generation = 0;  // stale redial ticks are ignored
  ~connector_state() {
    if (cancel_dial)
      cancel_dial();
    if (session)
      caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
    if (args.pipe) {
      args.pipe->detach();
      args.socket.hub->poke();
    }
  }
};

using connector_actor = caf::stateful_actor<connector_state>;

void dial(connector_actor* self) {
  auto me = caf::actor_cast<caf::actor>(self);
  auto gen = ++self->state.generation;
  self->state.cancel_dial = net::dial_tcp(
    *self->state.args.loop, self->state.target,
    [me, gen](net::stream_ptr s, const std::string& error) {
      caf::anon_send(me, dialed_atom::value, gen, std::move(s), error);
    });
}

void schedule_redial(connector_actor* self, const std::string& why) {
  int ivl = self->state.args.socket.options.reconnect_ivl_ms;
  if (ivl < 0) {
    log::write(log::level::warn, "connector",
               self->state.name + ": " + why + "; not reconnecting (reconnect_ivl = -1)");
    return;
  }
  log::write(log::level::info, "connector",
             self->state.name + ": " + why + "; retrying in " + std::to_string(ivl) + " ms");
  self->delayed_send(self, std::chrono::milliseconds(ivl), redial_atom::value,
                     ++self->state.generation);
}

caf::behavior connector(connector_actor* self, session_args args, endpoint target) {
  auto& st = self->state;
  st.args = std::move(args);
  st.name = target.to_string();
  st.target = std::move(target);
  dial(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source != self->state.session)
      return;
    self->state.session = nullptr;
    if (is_permanent_failure(dm.reason)) {
      log::write(log::level::warn, "connector",
                 self->state.name + ": peer failed permanently; not reconnecting");
      return;
    }
    schedule_redial(self, "disconnected");
  });
  return {
    [=](dialed_atom, uint64_t gen, net::stream_ptr s, const std::string& error) {
      if (gen != self->state.generation)
        return;
      self->state.cancel_dial = nullptr;
      if (!s)
        return schedule_redial(self, error);
      auto a = self->state.args;
      if (!a.pipe) {  // a pipe per connection (ROUTER, STREAM, immediate)
        a.pipe = new_pipe(a.socket);
        a.own_pipe = true;
      }
      self->state.session = spawn_session(self, std::move(a), std::move(s));
      self->state.args.reconnection = true;  // the next session serves the pipe again
    },
    [=](redial_atom, uint64_t gen) {
      if (gen == self->state.generation && !self->state.session)
        dial(self);
    },
  };
}

} // namespace

caf::actor spawn_connector(caf::event_based_actor* parent, session_args args,
                           std::string ep) {
  auto parsed = parse_endpoint(ep, false);
  return parent->spawn<caf::monitored>(connector, std::move(args), std::move(parsed));
}

} // namespace cafmq::actors
