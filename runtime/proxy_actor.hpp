// The supervised proxy: cafmq::proxy owned by a CAF actor (docs/proxy.md, "The supervised
// actor"). Opt-in like actor_socket.hpp: include <cafmq/proxy_actor.hpp> (CAF 0.17) and link
// CAF::core.
//
// spawn() opens the frontend, the backend (and a capture) from a proxy_spec, then runs the
// steerable proxy on a thread the actor owns, steered over an inproc PAIR. The actor's atoms
// become PAUSE, RESUME, STATISTICS and TERMINATE. It monitors its owner and stops the proxy
// when the owner terminates; when the proxy loop ends on its own (a socket closed, the context
// terminated, an error), the actor quits with a proxy_errc error, which an owner that monitors
// or links to it sees in its down_msg / exit_msg.
#pragma once

#include "context.hpp"
#include "proxy.hpp"
#include "socket.hpp"

#include <caf/all.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cafmq {

/// One socket of a proxy: its type, endpoints and options.
struct proxy_socket_spec {
  socket_type type = socket_type::router;
  std::vector<std::string> binds;     ///< bound first, in order
  std::vector<std::string> connects;  ///< then connected, in order
  socket_options options;
};

/// What the actor proxies.
struct proxy_spec {
  proxy_socket_spec frontend;
  proxy_socket_spec backend{socket_type::dealer, {}, {}, {}};
  std::optional<proxy_socket_spec> capture;  ///< a socket that sends (PUB, PUSH...)
  std::vector<caf::actor> observers;         ///< get the monitor events of both sides (add_observer)
};

/// Why a proxy actor quit on its own (category atom("cafmqproxy")).
enum class proxy_errc : uint8_t {
  sockets_closed = 1,  ///< a socket was closed or the context terminated under the proxy
  failed,              ///< the proxy loop threw: the text says why
};

/// A caf::error of the proxy actor, `what` as its context.
inline caf::error make_error(proxy_errc code, std::string what = {}) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("cafmqproxy"),
                    caf::make_message(std::move(what))};
}

/// True if `e` is the proxy actor's error `code`.
inline bool is_error(const caf::error& e, proxy_errc code) {
  return e && e.category() == caf::atom("cafmqproxy") && e.code() == static_cast<uint8_t>(code);
}

using proxy_pause_atom = caf::atom_constant<caf::atom("pxpause")>;
using proxy_resume_atom = caf::atom_constant<caf::atom("pxresume")>;
using proxy_stats_atom = caf::atom_constant<caf::atom("pxstats")>;
using proxy_stop_atom = caf::atom_constant<caf::atom("pxstop")>;

} // namespace cafmq

// Local messages only (never serialized between processes).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::proxy_statistics)

namespace cafmq {

/// The proxy actor's interface.
using proxy_actor = caf::typed_actor<
  /// PAUSE: stops reading both sides (answered once the proxy has it).
  caf::replies_to<proxy_pause_atom>::with<caf::ok_atom>,
  /// RESUME.
  caf::replies_to<proxy_resume_atom>::with<caf::ok_atom>,
  /// STATISTICS: the counts so far.
  caf::replies_to<proxy_stats_atom>::with<proxy_statistics>,
  /// TERMINATE: answers with the final counts, closes the sockets and quits (normal).
  caf::replies_to<proxy_stop_atom>::with<proxy_statistics>>;

namespace proxy_actors {

/// Spawns a proxy actor owned by `owner` (an actor of the system: `self`, or a scoped_actor's
/// `self.ptr()`), on a thread of its own (caf::detached). The sockets are opened, bound and
/// connected here, before it returns: throws cafmq::error for a bad spec (as cafmq::proxy's
/// argument checks, a bad endpoint, a bind that fails). `ctx` must outlive the actor or be
/// closed first (the actor then quits with sockets_closed).
proxy_actor spawn(caf::local_actor* owner, context& ctx, const proxy_spec& spec);

} // namespace proxy_actors

} // namespace cafmq
