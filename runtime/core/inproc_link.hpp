// inproc: two sockets of one context joined by one pair of rings, with no I/O thread and no ZMTP
// encoding. The connector's pipe owns the rings; the binder's pipe is its mirror. Each side's
// socket thread wakes the other through the owner's io wakers, which point at the other side's
// signaler once the two are paired (before, nothing reads the owner's outbound ring).
#pragma once

#include "options.hpp"
#include "pipe.hpp"
#include "signaler.hpp"

#include <algorithm>
#include <memory>

namespace cafmq::inproc {

/// libzmq's inproc queue size: the sender's sndhwm plus the receiver's rcvhwm; 0 (no limit) on
/// either side makes the queue unlimited (effective_hwm), and the sum is capped at max_hwm.
inline size_t joined_hwm(size_t snd, size_t rcv) {
  if (snd == 0 || rcv == 0)
    return 0;
  return std::min(snd + rcv, max_hwm);
}

/// The connector's pipe for a link. `limits` are the connector's; with `binder` (the binder's
/// options, once known) the queues are sized as libzmq sizes them (joined_hwm). drop_oldest
/// does not apply: the reader of an inproc ring is a user thread, which does not bracket its
/// reads as an engine does (spsc_ring::allow_discard).
inline pipe_ptr make_owner(queue_limits limits, const socket_options* binder,
                           const std::shared_ptr<signaler>& user, uint64_t id,
                           std::shared_ptr<byte_budget> send_budget) {
  if (binder != nullptr) {
    limits.sndhwm = joined_hwm(limits.sndhwm, static_cast<size_t>(binder->rcvhwm));
    limits.rcvhwm = joined_hwm(limits.rcvhwm, static_cast<size_t>(binder->sndhwm));
  }
  limits.discard_oldest = false;
  // No receive budget: a recv_budget has one writer per socket (its I/O thread), and here the
  // peer's user thread writes the inbound ring (docs/transports.md).
  auto p = std::make_shared<pipe>(limits, user, id, std::move(send_budget));
  p->mark_inproc();
  return p;
}

/// Pairs `owner` with a new mirror for the binder (`binder_user` its signaler, `id` from its
/// hub): the owner's rings now wake the binder, and a side that refuses the other
/// (close_by_user) detaches the other's pipe. The caller sets routing ids and peer properties,
/// then attaches the pipes to the hubs.
inline pipe_ptr pair(const pipe_ptr& owner, const std::shared_ptr<signaler>& owner_user,
                     const std::shared_ptr<signaler>& binder_user, uint64_t id) {
  auto mirror = std::make_shared<pipe>(owner, id);
  std::weak_ptr<pipe> weak_owner = owner;
  std::weak_ptr<pipe> weak_mirror = mirror;
  owner->io_out().set_target([binder_user] { binder_user->wake(); });
  owner->io().set_target([weak_owner, weak_mirror, binder_user] {
    auto o = weak_owner.lock();
    auto m = weak_mirror.lock();
    if (o && m && o->closed_by_user())
      m->detach();
    binder_user->wake();
  });
  mirror->io().set_target([weak_owner, weak_mirror, owner_user] {
    auto o = weak_owner.lock();
    auto m = weak_mirror.lock();
    if (o && m && m->closed_by_user())
      o->detach();
    owner_user->wake();
  });
  return mirror;
}

/// Ends a link for good: both pipes are detached (each socket drains what already reached it,
/// then forgets its pipe) and the wakers point nowhere. The caller pokes both hubs.
inline void unpair(const pipe_ptr& owner, const pipe_ptr& mirror) {
  owner->detach();
  if (mirror)
    mirror->detach();
  owner->io_out().set_target(nullptr);
  owner->io().set_target(nullptr);
  if (mirror)
    mirror->io().set_target(nullptr);
}

} // namespace cafmq::inproc
