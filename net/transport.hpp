// The transports, keyed by scheme (as nng's transport ops): each one binds (a listener that
// accepts streams) and dials (a stream). The actors go through this table, so a transport is
// added (ipc://, inproc://) by adding an entry, without touching them. Every stream it makes is
// bound to one io_loop (net/stream.hpp: loop_of), chosen with io_loop::pick_for_connection.
#pragma once

#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "runtime/core/connection_end.hpp"
#include "runtime/core/endpoint.hpp"
#include "runtime/core/error.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace cafmq::net {

/// Why a bind failed: the code of the user's exception and the reason of the bind_failed
/// event, both set where the failure happened.
struct bind_failure {
  errc code = errc::address_unavailable;
  event_reason reason = event_reason::unreachable;
  std::string detail; ///< for people: "cannot bind tcp://...: ..."
};

/// A new connection (`end` unused), or an accept failure (`s` null, `end` says why) after which
/// accepting goes on. Runs on the listener's I/O thread.
using accept_fn = std::function<void(stream_ptr s, const connection_end& end)>;

/// A bound endpoint that accepts connections. Handlers run on an I/O thread.
class listener {
public:
  virtual ~listener() = default;
  /// The bound address with the real port ("tcp://127.0.0.1:37015").
  virtual const std::string& bound_endpoint() const noexcept = 0;
  /// Starts accepting; `on_accept` runs for every connection and accept failure.
  virtual void start(accept_fn on_accept) = 0;
  /// Stops accepting and closes (any thread, idempotent).
  virtual void close() = 0;
  /// close(), then calls `closed` on the I/O thread once the port is free again (a new bind to
  /// it succeeds). Any thread; `closed` never runs if the I/O loop stops first.
  virtual void close_then(std::function<void()> closed) = 0;
};

using listener_ptr = std::shared_ptr<listener>;

/// The listener, or (null) why not. Runs on an I/O thread, or at once on the caller's thread
/// when the endpoint is refused before any I/O (it does not parse, an unknown scheme).
using bind_fn = std::function<void(listener_ptr l, const bind_failure& failure)>;
/// The stream, or (null) why not: the code is set where the dial failed (refused, unreachable,
/// a name that does not resolve...). Runs on an I/O thread, at most once, never after cancel.
using dial_fn = std::function<void(stream_ptr s, const connection_end& end)>;
/// Cancels a dial (any thread; idempotent).
using cancel_fn = std::function<void()>;

/// One transport's operations.
struct transport {
  std::string_view scheme; ///< "tcp"
  /// Binds `ep` on `home` (resolving names there, never on the caller's thread).
  void (*bind)(io_loop& home, const endpoint& ep, bind_fn done);
  /// Dials `ep` on a loop picked from `home`'s pool.
  cancel_fn (*dial)(io_loop& home, const endpoint& ep, dial_fn done);
};

/// The transport for `scheme`, or null when there is none.
const transport* find_transport(std::string_view scheme) noexcept;
/// The schemes there are, for error messages: "tcp".
std::string transport_schemes();

/// Parses `text` for bind and binds it on `home` through its transport; `done` gets the
/// listener or the failure (errc::invalid_endpoint / unsupported with reason bad_endpoint when
/// the text is refused, address_in_use, address_unavailable... when the bind is). `ipv6` is
/// the socket's ipv6 option (endpoint::ipv6).
void bind_endpoint(io_loop& home, const std::string& text, bind_fn done, bool ipv6 = true);
/// Dials `ep` through its transport; an unknown scheme fails at once with bad_endpoint.
cancel_fn dial_endpoint(io_loop& home, const endpoint& ep, dial_fn done);

} // namespace cafmq::net
