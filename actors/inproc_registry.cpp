// The inproc registry: names bound in a context, connects paired with their binder or waiting for
// one. Pairing shares the connector's rings with the binder (runtime/core/inproc_link.hpp); the
// Socket-Type check and the Identity exchange are those of a ZMTP handshake, done here.
#include "actors/inproc_registry.hpp"

#include "patterns/socket_compat.hpp"
#include "runtime/core/endpoint.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/inproc_link.hpp"
#include "runtime/core/log.hpp"
#include "runtime/core/socket_descriptor.hpp"

#include <algorithm>

namespace cafmq::actors {

namespace {

constexpr std::string_view scheme = "inproc://";

// The name in `endpoint` ("inproc://name" or just "name").
std::string name_in(const std::string& endpoint) {
  return endpoint.rfind(scheme, 0) == 0 ? endpoint.substr(scheme.size()) : endpoint;
}

// inproc connection ids stay clear of those the socket's tcp sessions number from 1.
constexpr uint64_t first_connection_id = uint64_t{1} << 40;

bool pipe_per_connection(const inproc_socket& s) {
  return descriptor_of(s.type).pipe_per_connection || s.options.immediate;
}

// The endpoint's name; throws errc::invalid_endpoint or errc::unsupported saying why not.
std::string name_of(const inproc_socket& s, const std::string& endpoint, const char* call) {
  try {
    auto ep = parse_endpoint(endpoint, std::string_view(call) == "bind");
    if (s.type == socket_type::stream)
      throw error{errc::unsupported, "STREAM sockets speak raw TCP: inproc is not available to "
                                     "them (as in libzmq)"};
    return ep.path;
  } catch (const error& e) {
    throw error{e.code(), std::string("cannot ") + call + " " + endpoint + ": " + e.what()};
  }
}

void emit(const inproc_socket& s, const monitor_event& e) {
  if (s.monitor)
    s.monitor->emit(e);
}

monitor_event link_event(event_kind kind, uint64_t id, const std::string& endpoint) {
  monitor_event e;
  e.kind = kind;
  e.connection_id = id;
  e.endpoint = endpoint;
  e.local_endpoint = endpoint;
  e.remote_endpoint = endpoint;
  return e;
}

// What the handshake would have told the other side about `s`.
metadata said_by(const inproc_socket& s) {
  metadata md;
  md.add("Socket-Type", std::string(zmtp_name(s.type)));
  if (descriptor_of(s.type).sends_identity)
    md.add("Identity", s.options.routing_id);
  return md;
}

std::string identity_of(const inproc_socket& s) {
  return descriptor_of(s.type).sends_identity ? s.options.routing_id : std::string();
}

// Why `a` and `b` cannot talk (as patterns::socket_type_validator says it), else "".
std::string incompatible(const inproc_socket& a, const inproc_socket& b) {
  for (auto [ours, theirs] : {std::pair{&a, &b}, std::pair{&b, &a}})
    if (auto end = patterns::socket_type_validator(ours->type)(said_by(*theirs)))
      return end->detail;
  return {};
}

} // namespace

bool is_inproc(const std::string& endpoint) noexcept {
  return endpoint.rfind(scheme, 0) == 0;
}

std::string inproc_registry::bind(const inproc_socket& s, const std::string& endpoint) {
  auto name = name_of(s, endpoint, "bind");
  auto canonical = "inproc://" + name;
  std::lock_guard<std::mutex> guard{mtx_};
  if (bound_.count(name) > 0) {
    auto ev = link_event(event_kind::bind_failed, 0, canonical);
    ev.reason = "the name is bound by another socket of this context";
    ev.reason_code = event_reason::address_in_use;
    emit(s, ev);
    throw error{errc::address_in_use, "cannot bind " + canonical + ": " + ev.reason};
  }
  auto& b = bound_[name];
  b.sock = std::make_shared<const inproc_socket>(s);
  b.endpoint = canonical;
  log::write(log::level::info, "socket", "listening on " + canonical);
  emit(s, link_event(event_kind::listening, 0, canonical));
  for (auto& l : links_)
    if (l.name == name && l.binder == 0)
      pair(l, b);
  return canonical;
}

void inproc_registry::connect(const inproc_socket& s, const std::string& endpoint,
                              const std::string& routing_id) {
  auto name = name_of(s, endpoint, "connect");
  std::lock_guard<std::mutex> guard{mtx_};
  link l;
  l.connection_id = first_connection_id + ++last_connection_id_;
  l.sock = std::make_shared<const inproc_socket>(s);
  l.name = name;
  l.endpoint = "inproc://" + name;
  l.routing_id = routing_id;
  auto b = bound_.find(name);
  fresh_pipe(l, b == bound_.end() ? nullptr : &b->second.sock->options);
  if (b != bound_.end())
    pair(l, b->second);
  links_.push_back(std::move(l));
}

// A pipe for `l`'s next pairing; the socket holds it from now on unless it takes a pipe per
// connection (ROUTER, immediate), which it gets once paired.
void inproc_registry::fresh_pipe(link& l, const socket_options* binder) {
  auto& s = *l.sock;
  l.pipe = inproc::make_owner(s.options.limits(), binder, s.hub->user_waker(), s.hub->next_pipe_id(),
                              s.hub->send_budget());
  if (!pipe_per_connection(s))
    s.hub->attach(l.pipe);
}

void inproc_registry::pair(link& l, const binding& b) {
  auto& c = *l.sock;
  auto& s = *b.sock;
  if (auto why = incompatible(c, s); !why.empty()) {
    l.refused = why;
    for (auto* side : {&c, &s}) {
      auto ev = link_event(event_kind::handshake_failed, l.connection_id, l.endpoint);
      ev.reason = why;
      ev.reason_code = event_reason::incompatible_socket_type;
      emit(*side, ev);
    }
    log::write(log::level::warn, "socket", l.endpoint + ": refused: " + why);
    return;
  }
  l.refused.clear();
  auto mirror = inproc::pair(l.pipe, c.hub->user_waker(), s.hub->user_waker(), s.hub->next_pipe_id());
  mirror->routing_id = identity_of(c);
  if (pipe_per_connection(c))  // read by the socket once attached, below
    l.pipe->routing_id = l.routing_id.empty() ? identity_of(s) : l.routing_id;
  mirror->set_peer(std::make_shared<peer_properties>(said_by(c), std::string(), l.endpoint, std::string()));
  l.pipe->set_peer(std::make_shared<peer_properties>(said_by(s), std::string(), l.endpoint, std::string()));
  l.mirror = mirror;
  l.binder = s.id;
  if (pipe_per_connection(c))
    c.hub->attach(l.pipe);
  s.hub->attach(mirror);
  emit(c, link_event(event_kind::connected, l.connection_id, l.endpoint));
  emit(s, link_event(event_kind::accepted, l.connection_id, l.endpoint));
  auto ok = link_event(event_kind::handshake_succeeded, l.connection_id, l.endpoint);
  ok.routing_id = identity_of(s);
  emit(c, ok);
  ok.routing_id = identity_of(c);
  emit(s, ok);
}

// Ends `l`'s current pairing (if any) and, when the connector stays, gives it a fresh pipe that
// waits for the next bind of the name.
void inproc_registry::unpair(link& l, bool connector_stays, const std::string& why) {
  bool was_paired = l.binder != 0;
  inproc::unpair(l.pipe, l.mirror);
  l.sock->hub->poke();
  if (was_paired) {
    auto binder = bound_.find(l.name);
    auto ev = link_event(event_kind::disconnected, l.connection_id, l.endpoint);
    ev.reason = why;
    ev.reason_code = event_reason::local;
    emit(*l.sock, ev);
    if (binder != bound_.end() && binder->second.sock->id == l.binder)
      emit(*binder->second.sock, ev);
    if (binder != bound_.end())
      binder->second.sock->hub->poke();
  }
  l.mirror.reset();
  l.binder = 0;
  if (connector_stays)
    fresh_pipe(l, nullptr);
}

void inproc_registry::unbind(uint64_t socket, const std::string& endpoint) {
  std::lock_guard<std::mutex> guard{mtx_};
  std::string name = name_in(endpoint);
  auto b = bound_.find(name);
  if (b == bound_.end() || b->second.sock->id != socket)
    throw error{errc::invalid_endpoint, "cannot unbind " + endpoint + ": the socket is not bound to it"};
  for (auto& l : links_)
    if (l.name == name && l.binder == socket)
      unpair(l, true, "the binder unbound " + l.endpoint);
  auto ev = link_event(event_kind::closed, 0, b->second.endpoint);
  ev.reason = "listener stopped (socket::unbind)";
  ev.reason_code = event_reason::local;
  emit(*b->second.sock, ev);
  bound_.erase(b);
}

void inproc_registry::disconnect(uint64_t socket, const std::string& endpoint) {
  std::lock_guard<std::mutex> guard{mtx_};
  std::string name = name_in(endpoint);
  auto mine = [&](const link& l) { return l.sock->id == socket && l.name == name; };
  if (std::none_of(links_.begin(), links_.end(), mine))
    throw error{errc::invalid_endpoint, "cannot disconnect " + endpoint + ": the socket is not connected to it"};
  for (auto& l : links_)
    if (mine(l))
      unpair(l, false, "the connector disconnected from " + l.endpoint);
  links_.erase(std::remove_if(links_.begin(), links_.end(), mine), links_.end());
}

void inproc_registry::close_socket(uint64_t socket) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto mine = [&](const link& l) { return l.sock->id == socket; };
  for (auto& l : links_)
    if (mine(l))
      unpair(l, false, "the connector closed");
    else if (l.binder == socket)
      unpair(l, true, "the binder closed");
  links_.erase(std::remove_if(links_.begin(), links_.end(), mine), links_.end());
  for (auto i = bound_.begin(); i != bound_.end();)
    i = i->second.sock->id == socket ? bound_.erase(i) : std::next(i);
}

void inproc_registry::clear() {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& l : links_) {
    inproc::unpair(l.pipe, l.mirror);
    l.sock->hub->poke();
  }
  links_.clear();
  bound_.clear();
}

std::vector<supervision_node> inproc_registry::describe(uint64_t socket) const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<supervision_node> out;
  auto session = [](const link& l, const std::string& peer_text) {
    supervision_node n;
    n.role = node_role::session;
    n.state = node_state::ready;
    n.endpoint = l.endpoint;
    n.peer = peer_text;
    n.connection_id = l.connection_id;
    return n;
  };
  for (auto& [name, b] : bound_) {
    if (b.sock->id != socket)
      continue;
    supervision_node n;
    n.role = node_role::listener;
    n.state = node_state::listening;
    n.endpoint = b.endpoint;
    for (auto& l : links_)
      if (l.name == name && l.binder == socket)
        n.children.push_back(session(l, "inproc " + std::string(zmtp_name(l.sock->type)) + " socket"));
    out.push_back(std::move(n));
  }
  for (auto& l : links_) {
    if (l.sock->id != socket)
      continue;
    supervision_node n;
    n.role = node_role::connector;
    n.endpoint = l.endpoint;
    if (l.binder != 0) {
      n.state = node_state::connected;
      auto b = bound_.find(l.name);
      n.children.push_back(session(l, b == bound_.end() ? std::string("inproc")
                                                        : "inproc " + std::string(zmtp_name(b->second.sock->type)) + " socket"));
    } else {
      n.state = node_state::waiting;
      n.detail = l.refused.empty() ? "waiting for a bind of " + l.endpoint : "refused: " + l.refused;
    }
    out.push_back(std::move(n));
  }
  return out;
}

bool inproc_registry::bound(const std::string& name) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return bound_.count(name) > 0;
}

} // namespace cafmq::actors
