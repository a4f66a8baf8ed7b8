// The socket actor's state: the listeners and connectors it supervises (actors/socket_actor.cpp)
// and stops on the user's unbind and disconnect (actors/socket_endpoints.cpp). Private to actors/.
#pragma once

#include "actors/messages.hpp"
#include "runtime/core/restart_intensity.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cafmq::actors {

// What the socket actor needs to restart one listener or connector.
struct child_spec {
  bool is_listener = false;
  std::string endpoint;    // listener: the bound endpoint (real port); connector: the target
  std::string routing_id;  // connector: the connect routing id
  pipe_ptr pipe;           // connector: the endpoint's pipe (none with a pipe per connection)
  describable running;     // null while waiting for a restart
  caf::actor_addr addr;
  restart_intensity intensity;
  uint32_t restarts = 0;   // in total
  uint32_t consecutive = 0;  // restarts since it last stayed up for stable_after (backoff, logs)
  restart_intensity::clock::time_point started{};  // when it was last (re)started
  uint32_t rebind_polls = 0;  // listener: rebinds of this restart that found the port taken
  std::string last_failure;
  std::optional<event_reason> escalated;  // the connector gave up (why): do not restart it
  bool binding = false;    // listener: its bind is under way on the I/O thread
  /// listener: the user's bind() waiting for the first bind (none for a rebind)
  std::optional<caf::typed_response_promise<control_reply>> bind_reply;
  std::string requested;   // the endpoint as the user gave it to bind or connect
};

struct socket_state {
  socket_args args;
  net::io_loop* loop = nullptr;
  std::map<uint64_t, child_spec> children;  // by id, in creation order
  uint64_t last_id = 0;
  std::vector<supervision_node> given_up;  // endpoints given up on, for describe()
  std::vector<describable> stopping;  // unbound or disconnected, not yet done closing
  ~socket_state() {
    for (auto& a : stopping)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    for (auto& [id, c] : children) {
      if (c.running)
        caf::anon_send_exit(c.running, caf::exit_reason::user_shutdown);
      if (c.pipe)
        c.pipe->detach();
    }
    if (args.hub)
      args.hub->poke();
  }
};

using socket_self = socket_actor::stateful_pointer<socket_state>;

// Detaches the pipe of `c`, if any: nobody will serve it again, so it must not take a share of
// the round-robin.
inline void drop_pipe(socket_self self, child_spec& c) {
  if (!c.pipe)
    return;
  c.pipe->detach();
  self->state.args.hub->poke();
}

/// socket::unbind (`bound`) or socket::disconnect of `ep`: stops its listener or connectors for
/// good; answers once their connections are closed, or at once with the refusal (an endpoint that
/// does not parse, a wildcard port, one not bound or connected) naming it.
caf::result<control_reply> stop_endpoint(socket_self self, bool bound, const std::string& ep);

} // namespace cafmq::actors
