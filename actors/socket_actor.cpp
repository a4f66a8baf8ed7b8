// Socket actor: one per socket. Handles the rare control calls (bind, connect) by spawning and
// supervising listeners and connectors; its end takes all of them down.
#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/log.hpp"

#include <vector>

namespace cafmq::actors {

namespace {

struct socket_state {
  socket_args args;
  net::io_loop* loop = nullptr;
  std::vector<caf::actor> children;
  ~socket_state() {
    for (auto& c : children)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  }
};

using socket_actor_t = caf::stateful_actor<socket_state>;

session_args session_template(socket_actor_t* self) {
  session_args a;
  a.socket = self->state.args;
  a.loop = self->state.loop;
  return a;
}

control_reply failure(const error& e) {
  return {static_cast<int>(e.code()), e.what()};
}

control_reply bind(socket_actor_t* self, const std::string& ep) {
  try {
    auto parsed = parse_endpoint(ep, true);
    auto l = net::tcp_listener::open(*self->state.loop, parsed);
    auto bound = l->bound_endpoint();
    auto a = session_template(self);
    a.endpoint = bound;
    self->state.children.push_back(spawn_listener(self, std::move(a), l));
    log::write(log::level::info, "socket", "listening on " + bound);
    emit(self->state.args, event_of(event_kind::listening, bound));
    return {-1, bound};
  } catch (const error& e) {
    auto ev = event_of(event_kind::bind_failed, ep);
    ev.reason = e.what();
    ev.reason_code = e.code() == errc::address_in_use ? event_reason::address_in_use
                     : e.code() == errc::address_unavailable ? event_reason::unreachable
                                                              : event_reason::bad_endpoint;
    emit(self->state.args, ev);
    return failure(e);
  }
}

caf::behavior socket_behavior(socket_actor_t* self, socket_args args, net::io_loop* loop) {
  self->state.args = std::move(args);
  self->state.loop = loop;
  self->set_down_handler([=](caf::down_msg& dm) { forget_child(self->state.children, dm); });
  return {
    [=](bind_atom, const std::string& ep) -> control_reply { return bind(self, ep); },
    [=](connect_atom, const std::string& ep, const std::string& routing_id) -> control_reply {
      try {
        auto a = session_template(self);
        a.connect_routing_id = routing_id;
        a.endpoint = ep;
        pipe_ptr p;
        if (!pipe_per_connection(a.socket))
          p = a.pipe = new_pipe(a.socket);
        auto hub = a.socket.hub;
        self->state.children.push_back(spawn_connector(self, std::move(a), ep));
        if (p)
          hub->attach(p);  // the queue exists before the connection, as in libzmq
        return {-1, ep};
      } catch (const error& e) {
        return failure(e);
      }
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      supervision_node n;
      n.role = node_role::socket;
      n.endpoint = std::string(zmtp_name(self->state.args.type));
      return describe_with_children(self, std::move(n), self->state.children);
    },
  };
}

} // namespace

caf::actor spawn_socket(caf::event_based_actor* parent, socket_args args, net::io_loop* loop) {
  return parent->spawn<caf::monitored>(socket_behavior, std::move(args), loop);
}

} // namespace cafmq::actors
