// Listener actor: one per bound endpoint. Accepts connections and supervises one session per
// accepted peer.
//
// Supervision strategy (docs/reliability.md): sessions are temporary children (OTP `temporary`):
// a session that ends, normally or from a fault, is forgotten and never restarted (the peer
// reconnects if it wants to), so one bad peer never touches the others. A session that dies
// without saying how it ended (killed) is reported as `internal`. The listener's own end takes
// its sessions with it and is reported as `closed` with its real exit reason (report_end): code
// `internal` for an abnormal death (an exception in a handler, a kill), after which the socket
// actor rebinds the endpoint; code `local` only when its socket stopped it.
//
// It also bounds the connections still in their handshake by what they cost, not by arrival
// order (runtime/core/handshake_admission.hpp, docs/reliability.md "Pending handshakes"): above
// max_pending_handshakes, idle ones (nothing received for a while) are closed, the longest idle
// first; above 16 x max_pending_handshakes, each new connection closes the one with the least
// progress. So a reconnect storm of legitimate peers is let in whole, while half-open
// connections cost bounded memory and never lock legitimate peers out (CVE-2020-15166). The
// engines record their progress in a handshake_progress each, read here: no message per read.
//
// socket::unbind (libzmq's zmq_unbind): the acceptor closes and every accepted connection is
// closed (each session reports `disconnected`, or `handshake_failed`, with code `local`); the
// listener answers once the port is free and its sessions are gone, then quits, reported as
// `closed` with code `local`. Its socket actor has forgotten it by then: it is not restarted.
#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "net/ipc_filter.hpp"
#include "runtime/core/fault_injection.hpp"
#include "runtime/core/handshake_admission.hpp"
#include "runtime/core/log_limit.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace cafmq::actors {

namespace {

struct listener_state {
  session_args args;
  net::listener_ptr listener;
  std::vector<session_actor> sessions;  // in accept order, for introspection
  // Sessions still in their handshake, by connection id, and the policy that closes them.
  handshake_admission admission{handshake_limits{}};
  struct pending_session {
    session_actor session;
    int fd;  // to look for unread handshake bytes (net::unread_bytes) before closing it
  };
  std::map<uint64_t, pending_session> pending;
  std::map<caf::actor_addr, uint64_t> pending_ids;
  bool recheck_armed = false;  // an `evict` to self is on its way
  std::set<caf::actor_addr> reported;  // sessions that said how they ended
  // socket::unbind: the answer, given once the acceptor is closed and no session is left.
  std::optional<caf::typed_response_promise<bool>> unbind_reply;
  bool acceptor_closed = false;
  // Set by unbind, read by report_end (which runs after this state is gone).
  std::shared_ptr<std::atomic<bool>> unbound = std::make_shared<std::atomic<bool>>(false);
  ~listener_state() {
    if (args.socket.handshakes)
      args.socket.handshakes->pending -= pending.size();
    if (listener)
      listener->close();
    for (auto& s : sessions)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  }
};

// How the connections of an unbound endpoint end.
connection_end unbound_end() {
  return permanent_end(event_reason::local, "the endpoint was unbound (socket::unbind)");
}

// Reports how the listener of `args` ended, from its real exit `reason` (runs as it terminates).
void report_end(const session_args& args, bool unbound, const caf::error& reason) {
  auto ev = event_of(event_kind::closed, args.endpoint);
  if (abnormal(reason)) {
    ev.reason = "listener died: " + failure_text(reason);
    ev.reason_code = event_reason::internal;
  } else if (unbound) {
    ev.reason = "listener stopped (socket::unbind)";
    ev.reason_code = event_reason::local;
  } else {
    ev.reason = "listener stopped (socket closed)";
    ev.reason_code = event_reason::local;
  }
  emit(args.socket, ev);
}

using listener_self = listener_actor::stateful_pointer<listener_state>;

// Forgets pending handshake `id` (the admission has forgotten it already).
void drop_pending(listener_self self, uint64_t id) {
  auto& st = self->state;
  auto i = st.pending.find(id);
  if (i == st.pending.end())
    return;
  st.pending_ids.erase(i->second.session.address());
  st.pending.erase(i);
  if (auto& c = st.args.socket.handshakes)
    --c->pending;
}

// Forgets `s` as a pending handshake (it finished or ended); false if it was not one.
bool forget_pending(listener_self self, const caf::actor_addr& s) {
  auto& st = self->state;
  auto i = st.pending_ids.find(s);
  if (i == st.pending_ids.end())
    return false;
  auto id = i->second;
  st.admission.done(id);
  drop_pending(self, id);
  return true;
}

// Why `v` is closed, for its handshake_failed event (reason code `resource`).
std::string eviction_reason(const handshake_admission& a, const handshake_admission::victim& v,
                            size_t pending, int cap) {
  auto& l = a.limits();
  if (v.reason == handshake_admission::why::idle)
    return "evicted: handshake idle (nothing received for " + std::to_string(l.idle_after.count())
           + " ms) with " + std::to_string(pending) + " handshakes pending, above "
           + std::to_string(cap) + " (max_pending_handshakes)";
  return "evicted: " + std::to_string(pending) + " handshakes pending, the hard limit of "
         + std::to_string(l.hard) + " (" + std::to_string(handshake_limits::hard_factor)
         + " x max_pending_handshakes); the one with the least progress closed to admit a new"
           " connection";
}

// Closes the pending handshakes the admission policy gives up, before `arriving` more are added
// (each session reports handshake_failed with reason code `resource`). Below
// max_pending_handshakes none are; handshake_ivl ends the rest.
void evict(listener_self self, size_t arriving) {
  auto& st = self->state;
  auto pending = st.admission.size() + arriving;
  // Bytes in the kernel are progress its engine has not read yet (a busy I/O thread). The
  // descriptor of a connection that has just closed may have been reused: the answer is then
  // about another connection, and at worst spares one that is going anyway.
  auto has_unread = [&st](uint64_t id) {
    auto i = st.pending.find(id);
    return i != st.pending.end() && net::unread_bytes(i->second.fd) > 0;
  };
  auto now = handshake_admission::clock::now();
  for (const auto& v : st.admission.evict(now, arriving, has_unread)) {
    auto i = st.pending.find(v.id);
    if (i == st.pending.end())
      continue;
    auto victim = i->second.session;
    drop_pending(self, v.id);
    auto cap = st.args.socket.options.max_pending_handshakes;
    // The session counts and logs it once its engine closed the connection for it (not if
    // its handshake finished first).
    self->send(victim, evict_atom::value, eviction_reason(st.admission, v, pending, cap));
  }
  // Finished on the I/O thread, no longer counted: their handshake_done will find nothing.
  for (auto id : st.admission.take_finished())
    drop_pending(self, id);
}

// While above max_pending_handshakes, looks again for idle handshakes a quarter of the idle
// time later (the connections that make the count need not be followed by others).
void arm_recheck(listener_self self) {
  auto& st = self->state;
  if (st.recheck_armed || !st.admission.over_soft())
    return;
  st.recheck_armed = true;
  self->delayed_send(self, st.admission.limits().idle_after / 4, evict_atom::value);
}

void on_accepted(listener_self self, net::stream_ptr s) {
  auto& st = self->state;
  if (auto why = net::ipc_filter_refusal(*s, st.args.socket.options)) {  // s closes on return
    log::write_limited(log::level::warn, "listener", "refused on " + st.args.endpoint,
                       st.args.endpoint + ": refused: " + *why);
    auto ev = event_of(event_kind::accept_failed, st.args.endpoint);
    ev.remote_endpoint = net::remote_name(*s);
    ev.reason = *why;
    ev.reason_code = event_reason::auth;
    emit(st.args.socket, ev);
    return;
  }
  bool track = !descriptor_of(st.args.socket.type).raw;  // STREAM: no handshake
  if (track)
    evict(self, 1);
  session_args a = st.args;
  a.loop = &net::loop_of(*s);  // the engine runs on the loop the connection was accepted onto
  a.listener = listener_actor{self};
  a.parent = session_parent{a.listener};
  a.pipe = new_pipe(a.socket);
  a.own_pipe = true;
  a.connection_id = a.socket.monitor->next_connection_id();
  if (track)
    a.progress = std::make_shared<handshake_progress>();
  auto ev = event_of(event_kind::accepted, a.endpoint);
  ev.connection_id = a.connection_id;
  ev.local_endpoint = net::local_name(*s);
  ev.remote_endpoint = net::remote_name(*s);
  emit(a.socket, ev);
  auto id = a.connection_id;
  auto progress = a.progress;
  auto fd = net::native_descriptor(*s);
  auto accepted_at = handshake_admission::clock::now();  // before its engine can start
  auto session = spawn_session(self, std::move(a), std::move(s));
  if (track) {
    st.admission.add(id, std::move(progress), accepted_at);
    st.pending.emplace(id, listener_state::pending_session{session, fd});
    st.pending_ids.emplace(session.address(), id);
    if (auto& c = st.args.socket.handshakes)
      ++c->pending;
    arm_recheck(self);
  }
  if (st.unbind_reply)  // accepted just before the acceptor closed
    self->send(session, stop_atom::value, unbound_end());
  st.sessions.push_back(std::move(session));
}

// Answers the unbind once the port is free and every session is gone, then quits.
void finish_unbind(listener_self self) {
  auto& st = self->state;
  if (!st.unbind_reply || !st.acceptor_closed || !st.sessions.empty())
    return;
  st.unbind_reply->deliver(true);
  st.unbind_reply.reset();
  self->quit();
}

// socket::unbind: closes the acceptor (the I/O thread says `unbound` when the port is free) and
// every accepted connection.
caf::result<bool> unbind(listener_self self) {
  auto& st = self->state;
  st.unbound->store(true, std::memory_order_release);
  listener_actor me{self};
  auto l = std::move(st.listener);  // closed here, not again by the destructor
  l->close_then([me] { caf::anon_send(me, unbound_atom::value); });
  for (auto& s : st.sessions)
    self->send(s, stop_atom::value, unbound_end());
  st.unbind_reply = self->make_response_promise<bool>();
  return *st.unbind_reply;
}

// A session is gone. One that did not say how it ended was killed: report it as internal.
void on_session_down(listener_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  forget_pending(self, dm.source);
  auto& v = st.sessions;
  v.erase(std::remove_if(v.begin(), v.end(), [&](const session_actor& s) { return s.address() == dm.source; }),
          v.end());
  if (st.reported.erase(dm.source) == 0) {
    auto ev = event_of(event_kind::disconnected, st.args.endpoint);
    ev.reason = "session died: " + failure_text(dm.reason);
    ev.reason_code = event_reason::internal;
    log::write(log::level::error, "listener", st.args.endpoint + ": " + ev.reason);
    emit(st.args.socket, ev);
  }
  finish_unbind(self);
}

// Starts accepting on the bound listener: each connection (or failure) becomes a message.
void start_accepting(listener_self self, const net::listener_ptr& l) {
  listener_actor me{self};
  l->start([me](net::stream_ptr s, const connection_end& end) {
    if (s)
      caf::anon_send(me, accepted_atom::value, std::move(s));
    else
      caf::anon_send(me, accept_failed_atom::value, end);
  });
}

supervision_node describe(listener_self self) {
  supervision_node n;
  n.role = node_role::listener;
  n.state = node_state::listening;
  n.endpoint = self->state.args.endpoint;
  n.restarts = self->state.args.restarts;
  n.last_failure = self->state.args.last_failure;
  return n;
}

listener_actor::behavior_type listener(listener_self self, session_args args,
                                       const net::listener_ptr& l) {
  self->state.args = std::move(args);
  self->state.listener = l;
  self->state.admission = handshake_admission{handshake_limits::of(
    static_cast<size_t>(self->state.args.socket.options.max_pending_handshakes))};
  guard_handlers(self, "listener", [](const std::string&) {});  // report_end says why
  self->attach_functor([args = self->state.args, unbound = self->state.unbound](const caf::error& reason) {
    report_end(args, unbound->load(std::memory_order_acquire), reason);
  });
  start_accepting(self, l);
  self->set_down_handler([=](caf::down_msg& dm) { on_session_down(self, dm); });
  return {
    [=](unbind_atom) -> caf::result<bool> { return unbind(self); },
    [=](unbound_atom) {
      self->state.acceptor_closed = true;
      finish_unbind(self);
    },
    [=](accepted_atom, net::stream_ptr s) {
      CAFMQ_FAULT_POINT(listener);
      on_accepted(self, std::move(s));
    },
    [=](handshake_done_atom, const session_actor& session) {
      forget_pending(self, session.address());
    },
    [=](evict_atom) {
      self->state.recheck_armed = false;
      evict(self, 0);
      arm_recheck(self);
    },
    [=](session_ended_atom, const session_actor& session, const connection_end&, bool) {
      self->state.reported.insert(session.address());  // it reported its own event
    },
    [=](accept_failed_atom, const connection_end& end) {
      // The accept loop reports once per episode (net/accept_pacing.hpp); the log is bounded
      // again per endpoint, for episodes that follow each other closely.
      auto& ep = self->state.args.endpoint;
      log::write_limited(log::level::warn, "listener", "accept failed on " + ep,
                         ep + ": accept failed: " + end.detail);
      auto ev = event_of(event_kind::accept_failed, self->state.args.endpoint);
      ev.reason = end.detail;
      ev.reason_code = end.code;
      emit(self->state.args.socket, ev);
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      if (killed_by_fault(self, fault::point::listener))
        return caf::make_error(caf::sec::runtime_error, "killed by fault injection");
      return describe_with_children(self, describe(self), self->state.sessions);
    },
  };
}

} // namespace

listener_actor spawn_listener(caf::local_actor* parent, session_args args, net::listener_ptr l) {
  auto census = args.socket.census;
  return counted(census, parent->spawn<caf::monitored>(listener, std::move(args), std::move(l)));
}

} // namespace cafmq::actors
