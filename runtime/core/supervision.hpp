// A snapshot of the supervision tree (context -> sockets -> listeners and connectors -> sessions)
// with each actor's state, for introspection (context::supervision_tree(), socket::describe()).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cafmq {

/// Which actor a node describes.
enum class node_role : uint8_t {
  context, socket, listener, connector, session,
  broker, service, worker,  ///< a Majordomo broker (runtime/majordomo_broker.hpp) and its children
};

/// What the actor is doing.
enum class node_state : uint8_t {
  running,       ///< context and socket actors
  listening,     ///< a listener accepting connections
  dialing,       ///< a connector with a TCP dial in progress
  waiting,       ///< a connector waiting `next_retry` to dial again
  connected,     ///< a connector whose session runs (the session says how far it got)
  stopped,       ///< a connector that stopped reconnecting (`detail` says why)
  handshaking,   ///< a session in the ZMTP greeting or handshake
  ready,         ///< a session past its handshake: data flows
  unresponsive,  ///< the actor did not answer the introspection request in time
  failed,        ///< gone after a fault its supervisor did not restart (`last_failure` says why)
};

/// One actor of the tree and its children.
struct supervision_node {
  node_role role = node_role::context;
  node_state state = node_state::running;
  std::string endpoint;         ///< socket: its type; listener: bound address; connector:
                                ///< target; session: the listener's or connector's endpoint
  std::string peer;             ///< session: the remote address
  uint64_t connection_id = 0;   ///< session: the id monitor events carry
  uint32_t retries = 0;         ///< connector: retries since the last successful handshake
  std::chrono::milliseconds next_retry{0};  ///< connector waiting: the wait it scheduled
  std::string detail;           ///< free text (why a connector stopped, the routing id)
  uint32_t restarts = 0;        ///< times its supervisor restarted it (context: socket actors
                                ///< that failed; socket: listeners and connectors restarted)
  std::string last_failure;     ///< the latest fault it (or, for a context or socket, one of
                                ///< its children) died of, or ""
  std::vector<supervision_node> children;
};

const char* to_string(node_role role) noexcept;
const char* to_string(node_state state) noexcept;

/// The tree as indented text, one node per line:
///   socket PUSH [running]
///     connector tcp://127.0.0.1:5555 [waiting, retry in 200 ms, 3 retries, 1 restarts,
///                                     last failure: exception in the connector: ...]
std::string to_text(const supervision_node& root);

} // namespace cafmq
