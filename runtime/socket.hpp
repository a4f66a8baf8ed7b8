// cafmq::socket: the blocking socket API, as familiar as cppzmq. send/recv run on the caller's
// thread straight against the pipes (no actor hop per message); bind/connect/close are control
// calls to the socket's actor.
//
// Errors: misuse and failures (bad endpoint, bind failure, closed socket, wrong direction for the
// type) throw cafmq::error; the expected outcomes "would block" and "timed out" are return values
// (false / std::nullopt).
#pragma once

#include "context.hpp"
#include "core/error.hpp"
#include "core/message.hpp"
#include "core/monitor_hub.hpp"
#include "core/option_keys.hpp"
#include "core/options.hpp"
#include "core/peer_properties.hpp"
#include "core/poll_flags.hpp"
#include "core/socket_type.hpp"
#include "socket_stats.hpp"
#include "core/supervision.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq {

class readiness_hook;

namespace actors {
struct handshake_counts;
struct supervision_record;
}

/// A ZeroMQ socket. Not thread-safe: use it from one thread at a time (like libzmq sockets).
/// Once its context is destroyed, every call but close() throws errc::socket_closed, a send or
/// recv blocked at that moment included; destroying the socket afterwards is safe.
/// Movable: the socket (its connections, queues, readiness descriptor) goes to the new object;
/// the moved-from one throws errc::socket_closed on every call and its destructor does nothing.
/// A socket registered in a cafmq::poller must be removed from it before it is moved, and a
/// socket a face refers to (an async_socket that does not own it) must not be moved at all.
class socket {
public:
  /// Creates a socket of `type` with `options` (validated; throws cafmq::error if invalid).
  socket(context& ctx, socket_type type, socket_options options = {});
  /// Internal (the faces): the same, from the context's control plane (context::control()),
  /// which outlives the context; a terminated one throws errc::socket_closed.
  socket(std::shared_ptr<actors::control> control, socket_type type, socket_options options);
  /// Closes (with linger) if still open.
  ~socket();
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;
  /// Takes over `other`'s socket; `other` is left moved-from (every call throws socket_closed).
  socket(socket&& other) noexcept;
  /// Closes this socket (with its linger, as the destructor does), then takes over `other`'s.
  socket& operator=(socket&& other) noexcept;

  /// Binds ("tcp://*:5555", "tcp://127.0.0.1:*"); throws cafmq::error with the reason.
  void bind(const std::string& endpoint);
  /// Connects, now or later when the peer appears (reconnects after reconnect_ivl).
  void connect(const std::string& endpoint);
  /// ROUTER: the routing id the next connect() gives its peer (ZMQ_CONNECT_ROUTING_ID); used by
  /// one connect, then cleared. Throws for other types or a bad id.
  void set_connect_routing_id(std::string id);
  /// The endpoint of the last bind, with the real port ("tcp://127.0.0.1:41234").
  const std::string& last_endpoint() const noexcept { return last_endpoint_; }

  // -- unbind, disconnect and live options (runtime/socket_endpoints.cpp, docs/socket-options.md) --
  /// Stops listening on `endpoint` (zmq_unbind): as last_endpoint() reported it, or as given to
  /// bind() when that named no wildcard port. Closes the connections accepted on it (each
  /// reported `disconnected`, the listener `closed`, code local); returns once the port is free
  /// for a new bind. Messages already received stay receivable. Throws errc::invalid_endpoint
  /// naming the endpoint if the socket is not bound to it.
  void unbind(const std::string& endpoint);
  /// Stops connecting to `endpoint` (zmq_disconnect): no reconnect; its connection is closed
  /// (`disconnected`, then `closed`, code local) and what was queued for that peer and not yet
  /// written is discarded; returns once it is closed. Throws errc::invalid_endpoint naming the
  /// endpoint if the socket is not connected to it.
  void disconnect(const std::string& endpoint);
  /// Changes an option of the open socket (keys in cafmq::opt, runtime/core/option_keys.hpp).
  /// option_scope::immediate takes effect at once; later_endpoints for the binds and connects
  /// made afterwards (as libzmq); creation_only throws errc::wrong_state naming the option. An
  /// invalid value throws errc::invalid_argument and changes nothing.
  template <class T>
  void set(const option_key<T>& key, typename option_key<T>::value_type value) {
    set_option(key.name, key.scope, [&](socket_options& o) { o.*(key.field) = std::move(value); });
  }
  /// The option's current value.
  template <class T>
  T get(const option_key<T>& key) const {
    return options_.*(key.field);
  }

  /// Sends, waiting up to sndtimeo (-1: forever). False if it would block / timed out. What
  /// "full" means and does is the full_policy: block (this), drop_newest (true, counted in
  /// stats()), drop_oldest (true: older queued messages make room, counted), error (throws
  /// errc::queue_full).
  bool send(message msg);
  /// Sends, waiting up to `timeout` (0: never block). False if it timed out.
  bool send(message msg, std::chrono::milliseconds timeout);
  /// Receives, waiting up to rcvtimeo (-1: forever); nullopt on timeout.
  std::optional<message> recv();
  /// Receives, waiting up to `timeout` (0: never block); nullopt on timeout.
  std::optional<message> recv(std::chrono::milliseconds timeout);
  /// Receives up to `max` messages that are there now, never waiting, appending them to `out`
  /// (and with `peers`, each one's last_peer() to it); returns how many. For event loops and
  /// faces that drain after a wake-up: the readiness is re-evaluated once per batch.
  size_t recv_batch(std::vector<message>& out, size_t max,
                    std::vector<peer_properties_ptr>* peers = nullptr);
  /// Sends msgs[first], msgs[first + 1], ... without waiting, stopping at the first that
  /// would block; returns how many were sent (each as send() with a timeout of 0 would: the
  /// full_policy applies). The sent ones are moved from, the unsent ones untouched, to send
  /// later (a proxy holds them instead of losing them). The readiness is re-evaluated once.
  size_t send_batch(std::vector<message>& msgs, size_t first = 0);

  /// The properties of the peer that sent the message the last recv() returned (libzmq's
  /// zmq_msg_gets): Socket-Type, Identity, User-Id, Peer-Address, Curve-Public-Key. Null if the
  /// socket type cannot tell (PUB, PUSH) or nothing was received yet. For a connector that
  /// reconnected, messages still queued from the old connection show the new one's properties.
  peer_properties_ptr last_peer() const;

  /// SUB (and XPUB with xpub_manual): subscribes to messages starting with `prefix` (empty: all).
  /// Counted: two subscribes need two unsubscribes. Throws for other types.
  void subscribe(std::string_view prefix);
  /// Removes one count of a subscription made with subscribe().
  void unsubscribe(std::string_view prefix);
  /// PUB/XPUB: waits up to `timeout` until at least `n` peers have subscribed to something, so
  /// the first messages are not lost to subscribers still joining. False on timeout.
  bool wait_subscribers(size_t n, std::chrono::milliseconds timeout);
  /// REQ: sends `request` and waits up to `timeout` for the reply, resending up to `attempts`
  /// times in all. Never leaves the socket stuck: after a timeout it can send again. nullopt if
  /// no reply came. With req_correlate a late reply to an earlier attempt is never taken for the
  /// answer to a later one.
  std::optional<message> request(const message& request, std::chrono::milliseconds timeout,
                                 int attempts = 1);
  // -- readiness (docs/poller.md) --
  /// What the socket can do now without blocking, level-triggered: poll_in when the next recv()
  /// returns a message at once (events() takes it ahead and keeps it for that recv, so a SUB's
  /// filtered or a REQ's stale messages never show as readiness), poll_out when the next send()
  /// queues at once or its full_policy lets it go without blocking (REQ/REP: only when the
  /// pattern's turn is to send). Throws errc::socket_closed once the socket or its context is
  /// closed.
  poll_flags events();
  /// A descriptor (an eventfd) readable while events() & `interest` is non-zero, for epoll, poll,
  /// libuv or Qt loops. The socket owns it: valid until the socket is destroyed, never to be
  /// closed or read by the user. Readiness is re-evaluated by the socket's own calls (recv,
  /// send, events): after a wake-up, receive until recv(0) returns nullopt, or call events().
  /// A closed socket or terminated context leaves it readable (the next call throws). A later
  /// call changes the interest and returns the same descriptor. It may also turn readable on a
  /// change that does not make the socket ready for `interest` (room to send when only poll_in
  /// is asked for): the next events() lowers it again, so confirm with events() (the poller
  /// does) rather than take readability for readiness.
  int readiness_fd(poll_flags interest = poll_in);
  /// Calls `fn` whenever the readiness may have changed after a call of this socket found it
  /// not ready (or after close), on the thread that changed it: an I/O thread, or an inproc
  /// peer's user thread inside its send or recv, so `fn`
  /// must be quick, must not block and must not call the socket (it posts or sends a message;
  /// exceptions are swallowed). Once per socket: a second call throws errc::wrong_state. For
  /// faces on event loops (cafmq/asio.hpp, cafmq/actor_socket.hpp).
  void set_readiness_callback(std::function<void()> fn);

  /// Messages dropped by the pattern (PUB/XPUB per-subscriber HWM, ROUTER unroutable or full).
  uint64_t messages_dropped() const;
  /// Totals, drop counters and each peer's queues (see socket_stats). Works after close() too
  /// (totals only, no peers).
  socket_stats stats();

  // -- monitoring (docs/monitoring.md) --
  /// A blocking stream of this socket's monitor events from now on, holding up to `capacity`
  /// unread events (a reader that falls behind loses the oldest, counted in dropped()). Any
  /// number of streams may be open; each gets every event. The stream may outlive the socket.
  event_stream monitor(size_t capacity = 1024);
  /// Calls `fn` with every monitor event from now on, in order, on the context's event thread
  /// (cafmq/events), never on an I/O or the control thread: a slow `fn` delays only other
  /// callbacks. An event that finds that thread's queue full is dropped for `fn` and counted
  /// (event_callback_dropped). Returns an id for remove_event_callback. runtime/actor_api.hpp
  /// builds observer actors on this.
  uint64_t add_event_callback(std::function<void(const monitor_event&)> fn);
  /// Stops the callbacks of `id` (one already running finishes).
  void remove_event_callback(uint64_t id);
  /// Events callback `id` missed because the event thread's queue was full.
  uint64_t event_callback_dropped(uint64_t id) const;
  /// A snapshot of this socket's actors: its listeners and connectors, their sessions, and each
  /// one's state (docs/reliability.md). Throws errc::socket_closed.
  supervision_node describe() const;

  /// Waits up to linger for queued messages to be written, then closes. Returns the number of
  /// queued messages that were discarded (0 on a second call). Never waits past linger, nor at
  /// all once the context is gone (no I/O thread is left to send).
  size_t close();
  /// Changes linger before close() (also the linger a context destroyed before this socket
  /// honours for it). Not thread-safe, like the socket's other calls: to end a linger in
  /// progress from another thread, use abort_linger().
  void set_linger(std::chrono::milliseconds linger);
  /// Ends this socket's linger now: a close() waiting for queued messages (on another thread)
  /// returns within a few milliseconds, discarding them, and a later close() does not linger;
  /// so does a context close lingering for this socket. For "a second Ctrl-C quits at once".
  /// Thread-safe and async-signal-safe (an atomic store and a futex wake): callable from any
  /// thread or a signal handler while the socket object exists, also during close().
  void abort_linger() noexcept;
  /// The socket's options: as created, with the changes set() made.
  const socket_options& options() const noexcept { return options_; }
  /// The socket type.
  socket_type type() const noexcept { return type_; }

private:
  struct state;
  state& live(const char* call) const;
  void require_open() const;
  void throw_if_terminated() const;
  bool send_until(message& msg, int timeout_ms);
  bool when_full(message& msg);
  bool make_budget_room();
  void change_subscription(std::string_view prefix, bool add);
  std::optional<message> recv_until(int timeout_ms);
  std::optional<message> take_prefetched();
  bool prefetch();
  bool writable();
  poll_flags current_events();
  readiness_hook& hook();
  poll_flags refresh_readiness();
  void report_drops(bool now);
  void set_option(const char* name, option_scope scope, const std::function<void(socket_options&)>& change);

  // Moved by the move constructor (defaulted) and the move assignment (socket.cpp): a member
  // added here is added there too. A moved-from socket has no state_.
  std::shared_ptr<actors::control> control_;  // shared: the socket may outlive its context
  socket_type type_;
  socket_options options_;
  std::unique_ptr<state> state_;
  monitor_hub_ptr monitor_ = std::make_shared<monitor_hub>();
  std::shared_ptr<std::atomic<uint64_t>> refused_subscriptions_ =
    std::make_shared<std::atomic<uint64_t>>(0);
  std::shared_ptr<actors::handshake_counts> handshakes_;  // its listeners' pending handshakes
  std::shared_ptr<actors::supervision_record> supervision_;  // failures its supervisors handled
  std::string last_endpoint_;
  std::string connect_routing_id_;
  uint64_t id_ = 0;
  bool closed_ = false;
};

} // namespace cafmq
