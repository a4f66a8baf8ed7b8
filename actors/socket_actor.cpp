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

// The outcome of a bind, back on the actor thread from the I/O thread.
struct bind_outcome {
  std::string requested;
  net::listener_ptr listener;
  net::bind_failure failure;
  caf::response_promise reply;
};
using bind_outcome_ptr = std::shared_ptr<bind_outcome>;
using bound_atom = caf::atom_constant<caf::atom("bound")>;

// Starts the bind on the I/O thread (names resolve there); the reply waits for bound_atom.
caf::result<control_reply> bind(socket_actor_t* self, const std::string& ep) {
  auto out = std::make_shared<bind_outcome>();
  out->requested = ep;
  out->reply = self->make_response_promise();
  auto me = caf::actor_cast<caf::actor>(self);
  net::bind_endpoint(*self->state.loop, ep,
                     [me, out](net::listener_ptr l, const net::bind_failure& f) {
                       out->listener = std::move(l);
                       out->failure = f;
                       caf::anon_send(me, bound_atom::value, out);
                     });
  return out->reply;
}

void on_bound(socket_actor_t* self, bind_outcome& out) {
  if (!out.listener) {
    auto ev = event_of(event_kind::bind_failed, out.requested);
    ev.reason = out.failure.detail;
    ev.reason_code = out.failure.reason;
    emit(self->state.args, ev);
    out.reply.deliver(control_reply{static_cast<int>(out.failure.code), out.failure.detail});
    return;
  }
  auto bound = out.listener->bound_endpoint();
  auto a = session_template(self);
  a.endpoint = bound;
  self->state.children.push_back(spawn_listener(self, std::move(a), std::move(out.listener)));
  log::write(log::level::info, "socket", "listening on " + bound);
  emit(self->state.args, event_of(event_kind::listening, bound));
  out.reply.deliver(control_reply{-1, bound});
}

caf::behavior socket_behavior(socket_actor_t* self, socket_args args, net::io_loop* loop) {
  self->state.args = std::move(args);
  self->state.loop = loop;
  self->set_down_handler([=](caf::down_msg& dm) { forget_child(self->state.children, dm); });
  return {
    [=](bind_atom, const std::string& ep) { return bind(self, ep); },
    [=](bound_atom, const bind_outcome_ptr& out) { on_bound(self, *out); },
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

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::bind_outcome_ptr)
