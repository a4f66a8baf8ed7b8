// A socket type's messaging behaviour, composed from routing pieces. The user thread drives it;
// sessions only hand it pipes.
#pragma once

#include "patterns/load_balancer.hpp"
#include "runtime/core/message.hpp"
#include "runtime/core/options.hpp"
#include "runtime/core/pipe.hpp"
#include "runtime/core/socket_type.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::patterns {

/// Messages a pattern dropped since the socket opened, by cause.
struct drop_counts {
  uint64_t hwm = 0;         ///< a peer's queue was full (HWM or byte limit), policy drop_newest
  uint64_t unroutable = 0;  ///< no peer to take it: unknown ROUTER id, REP reply to a gone peer
};

/// What every socket type implements. The type-specific operations at the end are only called by
/// cafmq::socket for the types they belong to (it rejects the others with a clear error).
class socket_pattern {
public:
  virtual ~socket_pattern() = default;
  /// A new peer is ready.
  virtual void attach(pipe_ptr p) = 0;
  /// An attached pipe that outlives connections (a connector's) has a new connection: resend
  /// per-connection state (SUB/XSUB: the subscriptions). Most types keep nothing.
  virtual void reconnected(const pipe_ptr&) {}
  /// Sends (moving `m` out) or reports would_block leaving `m` intact. Throws cafmq::error if the
  /// type cannot send, or cannot send now (REQ without a reply, ROUTER_MANDATORY unroutable).
  virtual send_result try_send(message& m) = 0;
  /// Receives into `out`; false if nothing is there. Throws cafmq::error if the type cannot
  /// receive, or cannot receive now (REQ before a request).
  virtual bool try_recv(message& out) = 0;
  /// Whether the pattern's state lets the user send now (REQ: no reply awaited; REP: a request
  /// awaits its reply). A type that cannot send at all is the socket descriptor's business.
  virtual bool send_allowed() const noexcept { return true; }
  /// The same for receiving (REQ: a reply is awaited; REP: no request awaits its reply): when
  /// false, try_recv throws wrong_state.
  virtual bool recv_allowed() const noexcept { return true; }
  /// Before sleeping in send: false if sending may already succeed.
  virtual bool prepare_wait_send() = 0;
  /// Before sleeping in recv (or waiting for subscribers): false if something may already be
  /// there to take in.
  virtual bool prepare_wait_recv() = 0;
  /// The pipe the message of the last successful try_recv came from (its peer's properties), or
  /// nullptr if the type does not say; valid until the next call on the pattern.
  virtual const pipe* last_source() const noexcept { return nullptr; }
  /// The pipe every send goes to while the pattern's pipes stay as they are, when sending is
  /// nothing more than pushing into that pipe's ring (round-robin over one peer: PUSH, DEALER);
  /// else nullptr. The socket then pushes there itself, skipping the pattern, until it attaches
  /// a pipe or takes the slow path again (see socket::send_until).
  virtual pipe* sole_send_pipe() noexcept { return nullptr; }
  /// The same for receiving: the pipe every recv takes from while the pattern's pipes stay as
  /// they are, when receiving is nothing more than popping from its ring (fair-queueing over one
  /// peer: PULL without conflate, DEALER); else nullptr.
  virtual pipe* sole_recv_pipe() noexcept { return nullptr; }
  /// Every pipe the pattern holds (for linger and shutdown).
  virtual std::vector<pipe_ptr> pipes() const = 0;
  /// Messages the pattern dropped since the socket opened, by cause. Per peer, the drops for a
  /// full queue are also counted in pipe::dropped.
  virtual drop_counts drops() const noexcept { return {}; }
  /// Takes the options libzmq lets change on a live socket (router_mandatory, router_handover,
  /// probe_router, req_relaxed, req_correlate, xpub_verbose, xpub_verboser) from `o`; each type
  /// reads those that apply to it.
  virtual void apply_live_options(const socket_options& o) { static_cast<void>(o); }
  /// The routing id stats() shows for `p` (ROUTER: also the ids it generated).
  virtual std::string peer_id(const pipe& p) const { return p.routing_id; }
  /// All messages the pattern dropped.
  uint64_t dropped() const noexcept {
    auto d = drops();
    return d.hwm + d.unroutable;
  }

  // -- type-specific --
  /// SUB, and XPUB with xpub_manual: adds (`add`) or removes one count of a prefix subscription.
  virtual void subscribe(std::string_view prefix, bool add);
  /// PUB/XPUB: takes in the subscriptions that arrived and returns how many peers have at least
  /// one subscription.
  virtual size_t subscribers();
  /// REQ: forgets the request in flight so the next send starts a new one (its late reply, if it
  /// comes, is discarded when it can be told apart: req_correlate, or another peer).
  virtual void abandon_request();
};

/// The pattern for `type` with `options`.
std::unique_ptr<socket_pattern> make_pattern(socket_type type, const socket_options& options);

} // namespace cafmq::patterns
