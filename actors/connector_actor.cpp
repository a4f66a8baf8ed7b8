// Connector actor: one per connect endpoint. Owns the endpoint's pipe (its queue survives
// reconnects, like libzmq's), dials, supervises the session and redials when the connection drops
// or cannot be made, after the reconnect_policy's wait (exponential backoff with jitter, reset by a
// successful handshake). It stops for good after a permanent failure (ERROR, protocol violation,
// failed handshake: RFC 23 forbids reconnecting with the same credentials), a reconnect_stop
// condition, reconnect_max_attempts, or reconnect_ivl = -1; it then stays, stopped (its pipe
// detached), so the supervision tree shows why.
//
// Supervision strategy (docs/reliability.md): one child, its session, restarted one-for-one
// (OTP `transient`: a redial) when it ends, whatever the reason: a session that died of a fault
// (reported `internal`, or killed without a word) is treated as a lost connection. Restarting a
// session that had worked counts against the restart intensity: more than restart_intensity such
// restarts within restart_period_ms and the connector escalates: it detaches its pipe, sends
// `escalate` (endpoint, restart_intensity, why) to its socket actor and quits; the socket actor
// reports it (closed event, describe(), stats()) while the socket and its other endpoints carry
// on. Its own end is reported with its real exit reason (report_end): a connector that dies
// abnormally (an exception in one of its handlers, a kill) reports `closed` with code `internal`
// and leaves its pipe attached for the socket actor, which restarts it on that pipe; one that
// stops normally (its socket closes) detaches the pipe and reports `closed` with code `local`.
//
// socket::disconnect (libzmq's zmq_disconnect): the connector stops dialling, its session closes
// the connection (reported `disconnected` with code `local`), it answers and quits; its pipe is
// detached, discarding what was queued for the peer. Its socket actor has forgotten it by then:
// it is not restarted.
#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "net/transport.hpp"
#include "runtime/core/endpoint.hpp"
#include "runtime/core/fault_injection.hpp"
#include "runtime/core/log.hpp"
#include "runtime/core/reconnect_policy.hpp"
#include "runtime/core/restart_intensity.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <random>

namespace cafmq::actors {

namespace {

struct connector_state {
  session_args args;
  socket_actor owner;  // escalations go there
  endpoint target;
  std::function<void()> cancel_dial;
  session_actor session;
  std::optional<std::pair<connection_end, bool>> session_end;  // what the session said, if it did
  uint64_t generation = 0;  // stale dial results, timeouts and redial ticks are ignored
  std::optional<reconnect_policy> policy;
  std::optional<restart_intensity> restarts;
  node_state status = node_state::dialing;
  std::chrono::milliseconds wait{0};  // the scheduled wait while status is waiting
  std::string stop_reason;
  // Set once it stopped reconnecting (it said `closed` then). Shared with report_end, which runs
  // after this state is gone.
  std::shared_ptr<std::atomic<bool>> stopped = std::make_shared<std::atomic<bool>>(false);
  // Set by socket::disconnect, read by report_end.
  std::shared_ptr<std::atomic<bool>> disconnected = std::make_shared<std::atomic<bool>>(false);
  // socket::disconnect: the answer, given once the session is gone.
  std::optional<caf::typed_response_promise<bool>> disconnect_reply;
  ~connector_state() {
    if (cancel_dial)
      cancel_dial();
    if (session)
      caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
  }
};

// Reports how the connector of `args` ended, from its real exit `reason` (runs as it terminates).
// An abnormal end leaves the pipe attached: the socket actor restarts the connector on it (or
// detaches it when it gives up). A normal one (the socket closed it) detaches the pipe.
void report_end(const session_args& args, const std::atomic<bool>& stopped, bool disconnected,
                const caf::error& reason) {
  auto ev = event_of(event_kind::closed, args.endpoint);
  if (abnormal(reason)) {
    ev.reason = "connector died: " + failure_text(reason);
    ev.reason_code = event_reason::internal;
    emit(args.socket, ev);
    return;
  }
  if (args.pipe) {
    args.pipe->detach();
    args.socket.hub->poke();
  }
  if (stopped.load(std::memory_order_acquire))
    return;  // a stopped connector said `closed` already
  ev.reason = disconnected ? "connector stopped (socket::disconnect)" : "connector stopped (socket closed)";
  ev.reason_code = event_reason::local;
  emit(args.socket, ev);
}

using connector_self = connector_actor::stateful_pointer<connector_state>;

const socket_options& opts(connector_self self) {
  return self->state.args.socket.options;
}

void dial(connector_self self) {
  auto& st = self->state;
  connector_actor me{self};
  auto gen = ++st.generation;
  st.status = node_state::dialing;
  emit(st.args.socket, event_of(event_kind::connect_delayed, st.args.endpoint));
  st.cancel_dial = net::dial_endpoint(*st.args.loop, st.target,
                                      [me, gen](net::stream_ptr s, const connection_end& end) {
                                        caf::anon_send(me, dialed_atom::value, gen, std::move(s), end);
                                      });
  if (opts(self).connect_timeout_ms > 0)
    self->delayed_send(self, std::chrono::milliseconds(opts(self).connect_timeout_ms),
                       dial_timeout_atom::value, gen);
}

// Stops reconnecting for good. The endpoint's pipe goes too: a pipe that will never be served
// again would swallow its share of a PUSH's or DEALER's round-robin; what it still holds is
// discarded, as for a peer that disconnected from a bind.
void stop_quietly(connector_self self, const std::string& why) {
  auto& st = self->state;
  st.status = node_state::stopped;
  st.stopped->store(true, std::memory_order_release);
  st.stop_reason = why;
  ++st.generation;
  if (st.args.pipe) {
    st.args.pipe->detach();
    st.args.socket.hub->poke();
  }
}

void stop(connector_self self, event_reason code, const std::string& why) {
  auto& st = self->state;
  stop_quietly(self, why);
  log::write(log_level_of(code), "connector", st.args.endpoint + ": not reconnecting: " + why);
  auto ev = event_of(event_kind::closed, st.args.endpoint);
  ev.reason = why;
  ev.reason_code = code;
  emit(st.args.socket, ev);
}

// A dial or connection failed for a reason that allows another try: schedule it, or give up.
void retry(connector_self self, event_reason code, const std::string& why) {
  auto& st = self->state;
  if (!st.policy->enabled())
    return stop(self, event_reason::stop_condition, why + "; reconnect_ivl is -1");
  if (!st.policy->may_retry())
    return stop(self, event_reason::gave_up,
                why + "; gave up after " + std::to_string(st.policy->retries())
                  + " retries (reconnect_max_attempts)");
  st.wait = st.policy->next();
  st.status = node_state::waiting;
  log::write(log::level::info, "connector", st.args.endpoint + ": " + why + "; retrying in "
                                              + std::to_string(st.wait.count()) + " ms");
  auto ev = event_of(event_kind::connect_retried, st.args.endpoint);
  ev.reason = why;
  ev.reason_code = code;
  ev.retry_ivl = st.wait;
  emit(st.args.socket, ev);
  self->delayed_send(self, st.wait, redial_atom::value, ++st.generation);
}

void dial_failed(connector_self self, event_reason code, const std::string& why) {
  if (code == event_reason::refused && (opts(self).reconnect_stop & reconnect_stop_conn_refused))
    return stop(self, event_reason::stop_condition, why + " (reconnect_stop_conn_refused)");
  retry(self, code, why);
}

void on_dialed(connector_self self, net::stream_ptr s) {
  auto& st = self->state;
  auto a = st.args;
  a.loop = &net::loop_of(*s);  // the engine runs on the loop the connection was dialled on
  if (!a.pipe) {  // a pipe per connection (ROUTER, STREAM, immediate)
    a.pipe = new_pipe(a.socket);
    a.own_pipe = true;
  }
  a.connection_id = a.socket.monitor->next_connection_id();
  auto ev = event_of(event_kind::connected, a.endpoint);
  ev.connection_id = a.connection_id;
  ev.local_endpoint = net::local_name(*s);
  ev.remote_endpoint = net::remote_name(*s);
  emit(a.socket, ev);
  st.status = node_state::connected;
  a.parent = session_parent{connector_actor{self}};
  st.session_end.reset();
  st.session = spawn_session(self, std::move(a), std::move(s));
  st.args.reconnection = true;  // the next session serves the pipe again
}

// Restarts came too often: stop, hand the reason to the socket actor, and quit.
void escalate(connector_self self) {
  auto& st = self->state;
  auto why = "restart intensity exceeded: more than " + std::to_string(opts(self).restart_intensity)
             + " restarts within " + std::to_string(opts(self).restart_period_ms) + " ms";
  stop_quietly(self, why);
  log::write(log::level::error, "connector", st.args.endpoint + ": " + why + ", escalating to the socket");
  self->send(st.owner, escalate_atom::value, st.args.endpoint, event_reason::restart_intensity, why);
  self->quit();
}

// The session ended: decide between redialling and stopping. A session that did not say how
// it ended died of a fault (killed): it counts as a lost connection with code internal.
void on_session_down(connector_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  st.session = session_actor{};
  auto said = std::move(st.session_end);
  st.session_end.reset();
  auto [end, handshake_done] = said ? std::move(*said)
                                    : std::make_pair(transient_end(event_reason::internal,
                                                                   "session died: " + failure_text(dm.reason)),
                                                     false);
  if (!said)
    log::write(log::level::error, "connector", st.args.endpoint + ": " + end.detail);
  if (handshake_done) {
    st.policy->reset();  // a connection that worked: the next wait starts from reconnect_ivl
    if (!st.restarts->allow(restart_intensity::clock::now()))
      return escalate(self);
  }
  auto code_name = std::string(to_string(end.code));
  if (end.permanent)
    return stop(self, end.code, "the peer failed permanently (" + code_name
                                  + "): no reconnect after a protocol or handshake failure");
  auto stop_flags = opts(self).reconnect_stop;
  if (!handshake_done && (stop_flags & reconnect_stop_handshake_failed))
    return stop(self, event_reason::stop_condition,
                "handshake failed (" + code_name + ") (reconnect_stop_handshake_failed)");
  if (handshake_done && (stop_flags & reconnect_stop_after_disconnect))
    return stop(self, event_reason::stop_condition,
                "disconnected (" + code_name + ") (reconnect_stop_after_disconnect)");
  retry(self, end.code, (handshake_done ? "disconnected (" : "handshake failed (") + code_name + ")");
}

supervision_node describe(connector_self self) {
  auto& st = self->state;
  supervision_node n;
  n.role = node_role::connector;
  n.state = st.status;
  n.endpoint = st.args.endpoint;
  n.retries = st.policy->retries();
  n.next_retry = st.status == node_state::waiting ? st.wait : std::chrono::milliseconds{0};
  n.detail = st.stop_reason;
  n.restarts = st.args.restarts;
  n.last_failure = st.args.last_failure;
  return n;
}

// socket::disconnect: no more dials; the session (if any) closes the connection, and the
// answer waits for it to be gone.
caf::result<bool> disconnect(connector_self self) {
  auto& st = self->state;
  st.disconnected->store(true, std::memory_order_release);
  ++st.generation;  // pending dial results, timeouts and redial ticks are ignored
  if (st.cancel_dial) {
    st.cancel_dial();
    st.cancel_dial = nullptr;
  }
  if (!st.session) {
    self->quit();
    return true;
  }
  self->send(st.session, stop_atom::value,
             permanent_end(event_reason::local, "disconnected (socket::disconnect)"));
  st.disconnect_reply = self->make_response_promise<bool>();
  return *st.disconnect_reply;
}

// A dial ended: start the session, or handle the failure.
void on_dial_result(connector_self self, net::stream_ptr s, const connection_end& end) {
  self->state.cancel_dial = nullptr;
  if (!s)
    return dial_failed(self, end.code, end.detail);
  on_dialed(self, std::move(s));
}

connector_actor::behavior_type connector(connector_self self, session_args args, endpoint target,
                                         socket_actor owner) {
  auto& st = self->state;
  st.args = std::move(args);
  st.owner = std::move(owner);
  guard_handlers(self, "connector", [](const std::string&) {});  // report_end says why
  self->attach_functor([args = st.args, stopped = st.stopped,
                        disconnected = st.disconnected](const caf::error& reason) {
    report_end(args, *stopped, disconnected->load(std::memory_order_acquire), reason);
  });
  st.target = std::move(target);
  st.target.ipv6 = st.args.socket.options.ipv6;
  st.policy.emplace(st.args.socket.options, std::random_device{}());
  st.restarts.emplace(static_cast<size_t>(st.args.socket.options.restart_intensity),
                      std::chrono::milliseconds(st.args.socket.options.restart_period_ms));
  dial(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source != st.session.address())
      return;
    if (!st.disconnect_reply)
      return on_session_down(self, dm);
    st.session = session_actor{};
    st.disconnect_reply->deliver(true);
    st.disconnect_reply.reset();
    self->quit();
  });
  return {
    [=](disconnect_atom) -> caf::result<bool> { return disconnect(self); },
    [=](dialed_atom, uint64_t gen, net::stream_ptr s, const connection_end& end) {
      CAFMQ_FAULT_POINT(connector);
      if (gen == self->state.generation)
        on_dial_result(self, std::move(s), end);
    },
    [=](session_ended_atom, const session_actor& session, connection_end& end, bool handshake_done) {
      if (session == self->state.session)
        self->state.session_end.emplace(std::move(end), handshake_done);
    },
    [=](dial_timeout_atom, uint64_t gen) {
      auto& st = self->state;
      if (gen != st.generation || !st.cancel_dial)
        return;  // the dial ended before its timeout
      st.cancel_dial();
      st.cancel_dial = nullptr;
      ++st.generation;  // a result racing the cancel is ignored
      dial_failed(self, event_reason::timeout,
                  "connect to " + st.args.endpoint + " timed out after "
                    + std::to_string(opts(self).connect_timeout_ms) + " ms (connect_timeout)");
    },
    [=](redial_atom, uint64_t gen) {
      if (gen == self->state.generation && !self->state.session)
        dial(self);
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      if (killed_by_fault(self, fault::point::connector))
        return caf::make_error(caf::sec::runtime_error, "killed by fault injection");
      std::vector<session_actor> children;
      if (self->state.session)
        children.push_back(self->state.session);
      return describe_with_children(self, describe(self), children);
    },
  };
}

} // namespace

connector_actor spawn_connector(caf::local_actor* parent, session_args args,
                                const std::string& ep) {
  auto parsed = parse_endpoint(ep, false);
  if (!net::find_transport(parsed.transport))
    throw error{errc::unsupported, "cannot connect to " + ep + ": unsupported transport '"
                                     + parsed.transport + "' (supported: "
                                     + net::transport_schemes() + ")"};
  auto owner = caf::actor_cast<socket_actor>(parent);  // the socket actor spawns connectors
  auto census = args.socket.census;
  return counted(census, parent->spawn<caf::monitored>(connector, std::move(args), std::move(parsed),
                                                       std::move(owner)));
}

} // namespace cafmq::actors
