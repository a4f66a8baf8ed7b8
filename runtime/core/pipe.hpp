// A pipe joins a socket (user thread) to one peer's I/O engine (I/O thread): two SPSC rings, one
// each way. Lives as long as either side holds it; a connector's pipe survives reconnects.
// inproc: two sockets' user threads share one pair of rings; the connector's pipe owns them and
// the binder's pipe is its mirror (its outbound is the owner's inbound and the reverse), so the
// binder's user thread plays the engine's part (runtime/core/inproc_link.hpp).
#pragma once

#include "options.hpp"
#include "peer_properties.hpp"
#include "spsc_ring.hpp"
#include "waker.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace cafmq {

/// Both directions between a socket and one peer.
class pipe {
public:
  /// `user` wakes the socket's user thread; the engine side is reached through `io()` and
  /// `io_out()`.
  pipe(size_t sndhwm, size_t rcvhwm, const std::shared_ptr<waker>& user, uint64_t id)
    : pipe(queue_limits{sndhwm, rcvhwm, 0, 0}, user, id, nullptr) {
  }
  /// With byte limits too; `send_budget` (may be null) is the socket's send memory budget,
  /// charged by the outbound ring, `recv_budget` (may be null) its receive budget, charged and
  /// obeyed by the inbound ring.
  pipe(const queue_limits& limits, const std::shared_ptr<waker>& user, uint64_t id,
       std::shared_ptr<byte_budget> send_budget, std::shared_ptr<recv_budget> recv_budget = nullptr)
    : io_(std::make_shared<io_waker>()),
      io_out_(std::make_shared<io_waker>()),
      own_out_(std::in_place, effective_hwm(limits.sndhwm), io_out_, user, limits.sndhwm_bytes,
               std::move(send_budget)),
      own_in_(std::in_place, effective_hwm(limits.rcvhwm), user, io_, limits.rcvhwm_bytes),
      outbound_(&*own_out_),
      inbound_(&*own_in_),
      id_(id) {
    if (limits.discard_oldest)
      outbound_->allow_discard();
    if (recv_budget)
      inbound_->gate_on(std::move(recv_budget));
  }
  /// inproc: the far end of `owner`, for the socket at the other side: reads what `owner`'s
  /// socket sends and the reverse. Keeps `owner` (and so the rings) alive. The rings wake this
  /// side through `owner->io()` and `owner->io_out()`; this pipe's own io() is woken only by
  /// close_by_user().
  pipe(std::shared_ptr<pipe> owner, uint64_t id)
    : io_(std::make_shared<io_waker>()),
      io_out_(std::make_shared<io_waker>()),
      outbound_(owner->inbound_),
      inbound_(owner->outbound_),
      id_(id),
      ring_owner_(std::move(owner)) {
    mark_inproc();
  }

  /// User -> peer messages (the user writes, the engine reads).
  spsc_ring& outbound() noexcept { return *outbound_; }
  /// Peer -> user messages (the engine writes, the user reads).
  spsc_ring& inbound() noexcept { return *inbound_; }
  /// Kicks the engine currently serving this pipe (room in inbound(), close_by_user()).
  io_waker& io() noexcept { return *io_; }
  /// Runs when outbound() gets a message while its engine sleeps, on the user thread inside its
  /// flush: the engine may write the message right there (a direct write) or kick itself.
  io_waker& io_out() noexcept { return *io_out_; }
  /// Unique within the process; names the pipe in logs and routing tables.
  uint64_t id() const noexcept { return id_; }

  /// The peer is gone for good: the socket drains what arrived, then forgets the pipe.
  void detach() noexcept { detached_.store(true, std::memory_order_release); }
  /// See detach().
  bool detached() const noexcept { return detached_.load(std::memory_order_acquire); }

  /// User thread: the socket refuses or drops this peer (a second PAIR peer, a ROUTER id taken
  /// over, a STREAM close); the engine closes the connection for good and the socket should
  /// forget the pipe.
  void close_by_user() {
    closed_by_user_.store(true, std::memory_order_release);
    io_->wake();
  }
  /// See close_by_user().
  bool closed_by_user() const noexcept { return closed_by_user_.load(std::memory_order_acquire); }

  /// The peer's routing id for ROUTER/STREAM: its Identity property, the connect routing id, or
  /// empty (the socket generates one). Written by the session before the pipe is attached, then
  /// read only by the socket.
  std::string routing_id;

  /// I/O thread, once a connection's handshake is done and before any of its messages: what it
  /// established about the peer. A connector's pipe gets new properties per connection. The
  /// pipe counts as connected() from here.
  void set_peer(peer_properties_ptr p) {
    {
      std::lock_guard<std::mutex> guard{peer_mtx_};
      peer_ = std::move(p);
      peer_generation_.fetch_add(1, std::memory_order_release);
    }
    set_connected(true);
  }
  /// Any thread: a connection to the peer is up (set_peer(); STREAM: from its start), or a
  /// connector's pipe lost its connection and waits for the next one (false, set by the ending
  /// session). A pipe of one connection only stays connected until detached.
  void set_connected(bool up) noexcept { connected_.store(up, std::memory_order_release); }
  /// See set_connected().
  bool connected() const noexcept { return connected_.load(std::memory_order_acquire); }
  /// User thread: the properties of the current (or last) connection; null before the first.
  peer_properties_ptr peer() const {
    std::lock_guard<std::mutex> guard{peer_mtx_};
    return peer_;
  }
  /// Changes with each set_peer(): lets the socket keep peer() cached without a lock per message.
  uint64_t peer_generation() const noexcept {
    return peer_generation_.load(std::memory_order_acquire);
  }

  /// The engine holds messages it took from outbound() and has not handed to the kernel yet
  /// (raised before it takes any): for linger accounting, see unsent().
  std::atomic<bool> io_writing{false};
  /// Messages for the peer not yet handed to the kernel, as a lingering close counts them: the
  /// outbound ring's, plus one while the engine holds some. The ring is read first: a message
  /// seen gone from it is then seen in io_writing.
  size_t unsent() const noexcept {
    size_t queued = outbound_->size();
    return queued + (io_writing.load(std::memory_order_acquire) ? 1 : 0);
  }

  /// User thread, when the pattern attaches the pipe: everything it sends this peer is control
  /// traffic, not the user's messages (SUB/XSUB: subscriptions upstream).
  void mark_control_only() noexcept { control_only_.store(true, std::memory_order_relaxed); }
  /// User thread, when the pattern attaches the pipe: it queued one control message ahead of
  /// everything else (XPUB's welcome message), which a peer that never connected has not read.
  void mark_greeting_queued() noexcept { greeting_.store(true, std::memory_order_relaxed); }

  /// The user's messages among unsent(): the pattern's control traffic (see mark_control_only()
  /// and mark_greeting_queued()) left out.
  size_t unsent_user_messages() const noexcept { return without_control(unsent()); }
  /// The user's messages in outbound(): what a close that gives up discards.
  size_t queued_user_messages() const noexcept {
    return delivered_on_close() ? 0 : without_control(outbound_->size());
  }

  /// inproc: set before the pipe is shared. See delivered_on_close().
  void mark_inproc() noexcept { inproc_ = true; }
  /// An inproc pipe paired with its peer: its outbound ring is the peer's inbound queue, so what
  /// is queued there is delivered even after this socket closes, whatever its linger (libzmq's
  /// rule: the peer reads an inproc pipe up to its end).
  bool delivered_on_close() const noexcept { return inproc_ && connected() && !detached(); }

  /// Messages a lingering close waits for (libzmq's rule): what the pattern would deliver to a
  /// live or returning peer, never control traffic that the close makes moot. So: nothing for a
  /// pipe detached or closed by the socket, nor for a control-only pipe (SUB's/XSUB's
  /// subscriptions: the connection they are for ends with the close, and a stalled publisher
  /// must not hold it); everything unsent while a connection is up (it drains in moments); else
  /// only the user's messages (a connector's peer may still come, and libzmq lingers for them
  /// too), never XPUB's welcome message to a peer that never connected. A paired inproc pipe
  /// waits for nothing (see delivered_on_close()).
  size_t lingering() const noexcept {
    if (detached() || closed_by_user() || control_only_.load(std::memory_order_relaxed)
        || delivered_on_close())
      return 0;
    return connected() ? unsent() : unsent_user_messages();
  }

  /// Messages for this peer the socket dropped (its queue was full: full_policy drop_newest, or
  /// drop_oldest's discarded messages).
  /// Written and read by the user thread only.
  uint64_t dropped = 0;

private:
  // `n` messages counted in the ring (read first), less the control traffic among them.
  size_t without_control(size_t n) const noexcept {
    if (control_only_.load(std::memory_order_relaxed))
      return 0;
    // A peer that never connected has not read the greeting (set_peer() comes before any read).
    if (greeting_.load(std::memory_order_relaxed) && peer_generation() == 0 && n > 0)
      --n;
    return n;
  }

  std::shared_ptr<io_waker> io_;
  std::shared_ptr<io_waker> io_out_;
  std::optional<spsc_ring> own_out_;  // empty in an inproc mirror
  std::optional<spsc_ring> own_in_;
  spsc_ring* outbound_;
  spsc_ring* inbound_;
  uint64_t id_;
  std::shared_ptr<pipe> ring_owner_;  // inproc mirror: the pipe whose rings these are
  bool inproc_ = false;
  std::atomic<bool> detached_{false};
  std::atomic<bool> closed_by_user_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> control_only_{false};
  std::atomic<bool> greeting_{false};
  mutable std::mutex peer_mtx_;
  peer_properties_ptr peer_;
  std::atomic<uint64_t> peer_generation_{0};
};

using pipe_ptr = std::shared_ptr<pipe>;

} // namespace cafmq
