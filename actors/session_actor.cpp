// Session actor: one per peer connection. Runs the ZMTP engine (greeting, mechanism handshake:
// NULL, PLAIN or CURVE, data pump), or for STREAM sockets the raw TCP engine, and turns its
// lifecycle into actor events: hands the pipe to the socket when ready (STREAM: at once), and when
// the connection goes tells its parent how it ended (a connection_end) before it quits.
#include "actors/messages.hpp"
#include "net/raw_engine.hpp"
#include "net/zmtp_engine.hpp"
#include "patterns/socket_compat.hpp"
#include "runtime/core/fault_injection.hpp"
#include "runtime/core/log_limit.hpp"
#include "runtime/core/zmtp_command.hpp"
#include "security/mechanism_factory.hpp"

#include <algorithm>
#include <array>

namespace cafmq::actors {

namespace {

// The I/O bridge: forwards engine events (I/O thread) to the session actor as typed messages.
class forward_to_actor final : public net::engine_observer {
public:
  forward_to_actor(session_actor session, pipe_ptr p, handshake_progress_ptr progress)
    : session_(std::move(session)), pipe_(std::move(p)), progress_(std::move(progress)) {}
  void on_ready(const net::peer_info& peer) override {
    if (progress_)  // never closed as a pending handshake from now on
      progress_->finish();
    // Here, on the I/O thread before the engine delivers anything: every message of this
    // connection finds its properties on the pipe.
    pipe_->set_peer(std::make_shared<peer_properties>(peer.properties, peer.user_id, peer.address,
                                                      z85_key(peer.public_key)));
    auto identity = peer.properties.find("Identity").value_or("");
    caf::anon_send(session_, ready_atom::value, static_cast<int>(peer.zmtp_minor),
                   std::string(identity), peer.user_id);
  }
  void on_closed(const connection_end& end) override {
    caf::anon_send(session_, closed_atom::value, end);
  }
  // Read by the listener when it must close pending handshakes; no message.
  void on_handshake_activity(bool peer_bytes) override {
    if (progress_)
      progress_->note(peer_bytes);
  }
  void on_auth_wait(bool waiting) override {
    if (progress_)
      progress_->waiting_on_us(waiting);
  }

private:
  static std::string z85_key(const std::string& raw) {
    if (raw.size() != security::curve_key::size)
      return {};
    std::array<uint8_t, security::curve_key::size> bytes{};
    std::copy(raw.begin(), raw.end(), bytes.begin());
    return security::curve_key{bytes}.z85();
  }

  session_actor session_;
  pipe_ptr pipe_;
  handshake_progress_ptr progress_;  // accepted connections only
};

struct session_state {
  session_args args;
  std::shared_ptr<net::zmtp_engine> engine;
  std::shared_ptr<net::raw_engine> raw;  // STREAM sockets: raw TCP, no ZMTP
  bool attached = false;
  bool ready = false;    // past the handshake (STREAM: from the start)
  std::string peer;      // the remote address
  std::string local;     // our address
  std::string identity;  // the peer's authenticated identity, once ready
  // The listener asked to close this pending handshake, for `evict_reason`; counted and logged
  // (rate-limited) once the engine confirms it closed the connection for it.
  bool evicted = false;
  std::string evict_reason;
  bool ended = false;    // its parent has been told how it ended
  // Runs when the actor ends for any reason: the connection and an owned pipe go with it.
  ~session_state() {
    if (engine)
      engine->close("session stopped");
    if (raw)
      raw->close("session stopped");
    // A connector's pipe waits for the next connection; a pipe of this connection's own stays
    // "connected" until detached, so stats() never shows it unconnected yet still routed to.
    // CAF 0.17 destroys the state in on_exit(), before the down message that lets the connector
    // start the next session, so this never clears a newer connection's flag.
    if (!args.own_pipe && args.pipe)
      args.pipe->set_connected(false);
    if (args.own_pipe && args.pipe) {
      args.pipe->detach();
      args.socket.hub->poke();
    }
  }
};

metadata our_metadata(const socket_args& sock) {
  metadata md;
  md.add("Socket-Type", std::string(zmtp_name(sock.type)));
  if (descriptor_of(sock.type).sends_identity)
    md.add("Identity", sock.options.routing_id);
  return md;
}

net::engine_settings settings_of(const socket_args& sock) {
  auto& opts = sock.options;
  net::engine_settings s;
  s.subscriptions = descriptor_of(sock.type).subscriptions;
  if (opts.maxmsgsize >= 0)
    s.max_frame_size = static_cast<uint64_t>(opts.maxmsgsize);
  s.handshake_ivl_ms = opts.handshake_ivl_ms;
  s.heartbeat = {opts.heartbeat_ivl_ms, opts.effective_heartbeat_timeout_ms(), opts.heartbeat_ttl_ms};
  s.authenticator = sock.authenticator;
  s.auth_executor = sock.auth_executor;
  if (s.subscriptions == net::subscription_role::publisher && opts.authorization
      && opts.authorization->checks_subscriptions()) {
    s.subscription_rules = opts.authorization;
    s.refused_subscriptions = sock.refused_subscriptions;
  }
  if (descriptor_of(sock.type).sends_identity)
    s.legacy.identity = opts.routing_id;
  // ZMTP 2.0's socket-type byte is libzmq's ZMQ_* number, which socket_type's values are.
  static_assert(static_cast<int>(socket_type::pair) == 0 && static_cast<int>(socket_type::xsub) == 10);
  s.legacy.socket_type = static_cast<uint8_t>(sock.type);
  s.legacy.validate = patterns::socket_type_validator(sock.type);
  s.legacy.zap_domain = !opts.zap_domain.empty();
  return s;
}

using session_self = session_actor::stateful_pointer<session_state>;

net::tcp_keepalive keepalive_of(const socket_options& o) {
  return {o.tcp_keepalive, o.tcp_keepalive_idle, o.tcp_keepalive_cnt, o.tcp_keepalive_intvl};
}

// An event about this session's connection, with the fields every such event carries.
monitor_event connection_event(session_self self, event_kind kind) {
  auto& st = self->state;
  auto e = event_of(kind, st.args.endpoint);
  e.connection_id = st.args.connection_id;
  e.local_endpoint = st.local;
  e.remote_endpoint = st.peer;
  e.mechanism = st.engine ? std::string(security::mechanism_name(st.args.socket.options)) : "";
  e.identity = st.identity;
  return e;
}

void on_ready(session_self self, int minor, const std::string& identity,
              const std::string& user_id) {
  auto& st = self->state;
  st.identity = user_id;
  log::write(log::level::info, "session",
             st.peer + ": handshake done (ZMTP 3." + std::to_string(minor) + ")");
  st.ready = true;
  st.evicted = false;  // an eviction that lost the race to the handshake closed nothing
  auto& a = st.args;
  if (a.own_pipe && !st.attached) {
    st.attached = true;
    a.pipe->routing_id = a.connect_routing_id.empty() ? identity : a.connect_routing_id;
    a.socket.hub->attach(a.pipe);
  } else if (!a.own_pipe && a.reconnection) {
    a.socket.hub->reconnected(a.pipe);
  }
  auto e = connection_event(self, event_kind::handshake_succeeded);
  e.routing_id = identity;
  e.zmtp_minor = static_cast<uint8_t>(minor);
  e.zmtp_known = true;
  emit(a.socket, e);
  if (a.listener)  // no longer one of the listener's pending handshakes
    self->send(a.listener, handshake_done_atom::value, session_actor{self});
}

// Tells the parent how the session ended (once), before the session quits.
void tell_parent(session_self self, const connection_end& end) {
  auto& st = self->state;
  if (st.ended || !st.args.parent)
    return;
  st.ended = true;
  self->send(st.args.parent, session_ended_atom::value, session_actor{self}, end, st.ready);
}

// The connection ended: say so and tell the parent how.
void report_end(session_self self, const connection_end& end) {
  auto& st = self->state;
  auto mechanism = st.engine ? std::string(security::mechanism_name(st.args.socket.options)) : "";
  // One line per connection at most, rate-limited per endpoint, outcome and level (each end is
  // a monitor event too; evictions are also logged by the listener).
  const char* outcome = st.evicted ? "evicted" : st.ready ? "disconnected" : "handshake failed";
  log::write_limited(st.evicted ? log::level::info : log_level_of(end.code), "session",
                     std::string(outcome) + " on " + st.args.endpoint,
                     st.peer + ": disconnected: " + end.detail);
  if (end.heartbeat) {  // the silent peer first, then the disconnect it caused
    auto hb = connection_event(self, event_kind::heartbeat_timeout);
    hb.mechanism = mechanism;
    hb.reason = end.detail;
    hb.reason_code = end.code;
    emit(st.args.socket, hb);
  }
  auto e = connection_event(self, st.ready ? event_kind::disconnected : event_kind::handshake_failed);
  e.mechanism = mechanism;
  e.reason = end.detail;
  e.reason_code = end.code;
  emit(st.args.socket, e);
  tell_parent(self, end);
}

// The listener chose to close this pending handshake: it is closed unless it is already past
// its handshake (the engine finishes on the I/O thread before `ready` reaches this actor).
void on_evict(session_self self, const std::string& reason) {
  auto& st = self->state;
  if (st.ready || !st.engine || (st.args.progress && st.args.progress->finished()))
    return;
  st.evicted = true;
  st.evict_reason = reason;
  st.engine->close_if_handshaking(transient_end(event_reason::resource, reason));
}

// Whether `end` is the eviction on_evict asked for (not a close that came first): only then is
// it counted (stats().evicted_handshakes) and logged.
void confirm_eviction(session_self self, const connection_end& end) {
  auto& st = self->state;
  if (!st.evicted)
    return;
  st.evicted = end.code == event_reason::resource && end.detail == st.evict_reason;
  if (!st.evicted)
    return;
  uint64_t so_far = 0;
  if (auto& c = st.args.socket.handshakes)
    so_far = ++c->evicted;
  log::write_limited(log::level::warn, "session", "evicted on " + st.args.endpoint,
                     st.args.endpoint + ": " + st.evict_reason + " (" + std::to_string(so_far)
                       + " so far)");
}

// The engine reported the end of the connection: report it and quit.
void on_closed(session_self self, const connection_end& end) {
  confirm_eviction(self, end);
  report_end(self, end);
  self->state.engine.reset();  // closed already
  self->state.raw.reset();
  self->quit();
}

supervision_node describe(session_self self) {
  auto& st = self->state;
  supervision_node n;
  n.role = node_role::session;
  n.state = st.ready ? node_state::ready : node_state::handshaking;
  n.endpoint = st.args.endpoint;
  n.peer = st.peer;
  n.connection_id = st.args.connection_id;
  if (st.attached && !st.args.pipe->routing_id.empty())
    n.detail = "routing id " + printable(st.args.pipe->routing_id, 64);
  return n;
}

session_actor::behavior_type session(session_self self, session_args args, net::stream_ptr s) {
  auto& st = self->state;
  // An exception in a handler ends this session alone, reported as `internal`; its parent
  // treats it as a lost connection (docs/reliability.md).
  guard_handlers(self, "session", [self](const std::string& text) {
    if (self->state.ended)
      return;
    report_end(self, transient_end(event_reason::internal, text));
  });
  st.args = std::move(args);
  st.peer = net::remote_name(*s);
  st.local = net::local_name(*s);
  if (auto e = net::apply_tcp_keepalive(*s, keepalive_of(st.args.socket.options)); !e.empty())
    log::write_limited(log::level::warn, "session", "TCP keepalive on " + st.args.endpoint,
                       st.peer + ": TCP keepalive: " + e);
  auto observer = std::make_shared<forward_to_actor>(session_actor{self}, st.args.pipe,
                                                     st.args.progress);
  if (descriptor_of(st.args.socket.type).raw) {
    // No handshake: the connection is ready now (STREAM always has a pipe per connection).
    auto& a = st.args;
    st.attached = true;
    st.ready = true;
    a.pipe->routing_id = a.connect_routing_id;  // empty: the socket generates one
    a.pipe->set_connected(true);
    st.raw = net::raw_engine::start(*a.loop, std::move(s), a.pipe, observer);
    a.socket.hub->attach(a.pipe);
  } else {
    auto mech = security::make_mechanism(st.args.socket.options, our_metadata(st.args.socket),
                                         patterns::socket_type_validator(st.args.socket.type));
    st.engine = net::zmtp_engine::start(*st.args.loop, std::move(s), std::move(mech), st.args.pipe,
                                        settings_of(st.args.socket), observer);
  }
  return {
    [=](ready_atom, int minor, const std::string& identity, const std::string& user_id) {
      CAFMQ_FAULT_POINT(session);
      on_ready(self, minor, identity, user_id);
    },
    [=](closed_atom, const connection_end& end) { on_closed(self, end); },
    [=](evict_atom, const std::string& reason) { on_evict(self, reason); },
    [=](stop_atom, const connection_end& end) {
      // The user unbound or disconnected the endpoint: this end is reported, then the
      // destructor closes the connection.
      if (!self->state.ended)
        report_end(self, end);
      self->quit();
    },
    [=](describe_atom) { return describe(self); },
  };
}

} // namespace

session_actor spawn_session(caf::local_actor* parent, session_args args, net::stream_ptr s) {
  auto census = args.socket.census;
  return counted(census, parent->spawn<caf::monitored>(session, std::move(args), std::move(s)));
}

} // namespace cafmq::actors
