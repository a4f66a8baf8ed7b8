// Names and the text rendering of supervision-tree snapshots.
#include "runtime/core/supervision.hpp"

namespace cafmq {

const char* to_string(node_role role) noexcept {
  switch (role) {
    case node_role::context: return "context";
    case node_role::socket: return "socket";
    case node_role::listener: return "listener";
    case node_role::connector: return "connector";
    case node_role::session: return "session";
    case node_role::broker: return "broker";
    case node_role::service: return "service";
    case node_role::worker: return "worker";
  }
  return "unknown";
}

const char* to_string(node_state state) noexcept {
  switch (state) {
    case node_state::running: return "running";
    case node_state::listening: return "listening";
    case node_state::dialing: return "dialing";
    case node_state::waiting: return "waiting";
    case node_state::connected: return "connected";
    case node_state::stopped: return "stopped";
    case node_state::handshaking: return "handshaking";
    case node_state::ready: return "ready";
    case node_state::unresponsive: return "unresponsive";
    case node_state::failed: return "failed";
  }
  return "unknown";
}

namespace {

void render(std::string& out, const supervision_node& n, int depth) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += to_string(n.role);
  if (!n.endpoint.empty())
    out += " " + n.endpoint;
  out += " [";
  out += to_string(n.state);
  if (n.role == node_role::session && !n.peer.empty())
    out += ", peer " + n.peer + ", connection " + std::to_string(n.connection_id);
  if (n.state == node_state::waiting)
    out += ", retry in " + std::to_string(n.next_retry.count()) + " ms";
  if (n.retries > 0)
    out += ", " + std::to_string(n.retries) + " retries";
  if (!n.detail.empty())
    out += ", " + n.detail;
  if (n.restarts > 0)
    out += ", " + std::to_string(n.restarts) + " restarts";
  if (!n.last_failure.empty())
    out += ", last failure: " + n.last_failure;
  out += "]\n";
  for (auto& c : n.children)
    render(out, c, depth + 1);
}

} // namespace

std::string to_text(const supervision_node& root) {
  std::string out;
  render(out, root, 0);
  return out;
}

} // namespace cafmq
