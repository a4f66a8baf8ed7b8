// What the actors pass each other besides the typed interfaces (actors/interfaces.hpp): the
// arguments of a session, event helpers, the exception boundary of every actor, and the spawn
// functions. Private to actors/.
#pragma once

#include "actors/control.hpp"
#include "actors/interfaces.hpp"
#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "net/transport.hpp"
#include "runtime/core/fault_injection.hpp"
#include "runtime/core/handshake_progress.hpp"
#include "runtime/core/log.hpp"
#include "runtime/core/socket_descriptor.hpp"

#include <caf/all.hpp>

#include <exception>
#include <optional>

namespace cafmq::actors {

/// Everything a session needs besides its stream (also a listener's and connector's arguments).
struct session_args {
  socket_args socket;
  net::io_loop* loop = nullptr;
  pipe_ptr pipe;         ///< connector sessions reuse the connector's pipe
  bool own_pipe = false; ///< a pipe per connection: attach on ready, detach (discarding) on close
  bool reconnection = false;       ///< a reused pipe had a connection before this one
  std::string connect_routing_id;  ///< ROUTER: the peer's routing id chosen by connect()
  std::string endpoint;            ///< the bound or connected endpoint (for events)
  uint64_t connection_id = 0;      ///< the id this connection's monitor events carry
  listener_actor listener;         ///< accepted sessions: told when the handshake is done
  handshake_progress_ptr progress; ///< accepted sessions: their engine's handshake progress
  session_parent parent;           ///< sessions: told how the session ended
  uint32_t restarts = 0;           ///< listeners, connectors: restarts by the socket actor so far
  std::string last_failure;        ///< listeners, connectors: why the previous one died
};

/// Emits a monitor event of socket `s` (cheap when nobody listens).
inline void emit(const socket_args& s, const monitor_event& e) {
  if (s.monitor)
    s.monitor->emit(e);
}

/// An event of `kind` about `endpoint`.
inline monitor_event event_of(event_kind kind, std::string endpoint) {
  monitor_event e;
  e.kind = kind;
  e.endpoint = std::move(endpoint);
  return e;
}

/// True when each connection gets a pipe of its own, attached once the handshake is done: ROUTER
/// and STREAM route by the peer's identity, and ZMQ_IMMEDIATE queues only to live connections.
/// Otherwise a connector's pipe exists from connect() on and outlives reconnects (libzmq).
inline bool pipe_per_connection(const socket_args& s) {
  return descriptor_of(s.type).pipe_per_connection || s.options.immediate;
}

/// A new pipe for a peer of socket `s`.
inline pipe_ptr new_pipe(const socket_args& s) {
  return std::make_shared<pipe>(s.options.limits(), s.hub->user_waker(), s.hub->next_pipe_id(),
                                s.hub->send_budget(), s.hub->receive_budget());
}

/// Why an actor ended, for people: the exception's text for one that threw (see
/// guard_handlers), else CAF's rendering of the reason ("normal" for none).
inline std::string failure_text(const caf::error& reason) {
  if (!reason)
    return "normal";
  if (reason == caf::exit_reason::kill)
    return "killed (exit_reason::kill)";
  auto& ctx = reason.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(reason);
}

/// True for a death that is a fault (not a normal exit or a shutdown by the parent).
inline bool abnormal(const caf::error& reason) {
  return reason && reason != caf::exit_reason::normal && reason != caf::exit_reason::user_shutdown;
}

/// The exception boundary of an actor: an exception escaping one of its handlers is logged as
/// an error, `on_fault(text)` runs while the actor's state still exists (to record or report
/// it), and the actor quits with reason sec::runtime_error carrying the text, which its
/// supervisor reads with failure_text().
template <class Self, class OnFault>
void guard_handlers(Self* self, const char* who, OnFault on_fault) {
  self->set_exception_handler([who, on_fault](std::exception_ptr& x) -> caf::error {
    std::string text = "unknown exception";
    try {
      std::rethrow_exception(x);
    } catch (const std::exception& e) {
      text = e.what();
    } catch (...) {
    }
    text = std::string("exception in the ") + who + ": " + text;
    log::write(log::level::error, who, text);
    on_fault(text);
    return caf::make_error(caf::sec::runtime_error, text);
  });
}

/// Fault injection (test builds only): true if a kill point armed for `p` made `self` quit with
/// caf::exit_reason::kill (it terminates once the current handler returns).
template <class Self>
bool killed_by_fault([[maybe_unused]] Self* self, [[maybe_unused]] fault::point p) {
#ifdef CAFMQ_FAULT_INJECTION
  if (!fault::kill_hit(p))
    return false;
  self->quit(caf::exit_reason::kill);
  return true;
#else
  return false;
#endif
}

/// Counts `h` in the context's census until it terminates (see actor_census). Returns `h`.
template <class Handle>
Handle counted(const std::shared_ptr<actor_census>& census, Handle h) {
  if (census && h) {
    census->enter();
    h->attach_functor([census](const caf::error&) { census->leave(); });
  }
  return h;
}

/// Spawns a socket actor, monitored by the root supervisor.
socket_actor spawn_socket(caf::local_actor* parent, socket_args args, net::io_loop* loop);
/// Spawns a session on a connected stream, monitored by `parent` (listener or connector).
session_actor spawn_session(caf::local_actor* parent, session_args args, net::stream_ptr s);
/// Spawns a listener for an already bound transport listener, monitored by `parent`.
listener_actor spawn_listener(caf::local_actor* parent, session_args args,
                              net::listener_ptr listener);
/// Spawns a connector that dials `endpoint` and reconnects, monitored by `parent`.
connector_actor spawn_connector(caf::local_actor* parent, session_args args,
                                const std::string& endpoint);

} // namespace cafmq::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::actors::session_args)
