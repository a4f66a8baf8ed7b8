#include "runtime/core/handshake_admission.hpp"

#include <algorithm>
#include <utility>

namespace cafmq {

void handshake_admission::add(uint64_t id, handshake_progress_ptr progress, clock::time_point now) {
  pending_[id] = entry{std::move(progress), now};
}

bool handshake_admission::done(uint64_t id) {
  return pending_.erase(id) > 0;
}

std::vector<uint64_t> handshake_admission::take_finished() {
  return std::exchange(finished_, {});
}

handshake_admission::standing handshake_admission::standing_of(uint64_t id, const entry& e,
                                                               clock::time_point now) const {
  const auto* p = e.progress.get();
  if (p != nullptr && p->waiting_on_us())  // the peer waits for our authenticator's verdict
    return {2, p->last(), id};
  if (p != nullptr && p->started() && now - p->last() >= limits_.idle_after)
    return {0, p->last(), id};
  if (p == nullptr || !p->heard())
    return {1, e.added, id};
  return {2, p->last(), id};
}

void handshake_admission::forget_finished() {
  for (auto i = pending_.begin(); i != pending_.end();) {
    if (i->second.progress && i->second.progress->finished()) {
      finished_.push_back(i->first);
      i = pending_.erase(i);
    } else {
      ++i;
    }
  }
}

std::vector<handshake_admission::victim>
handshake_admission::evict(clock::time_point now, size_t arriving, const unread_probe& has_unread) {
  std::vector<victim> out;
  if (pending_.size() + arriving <= limits_.soft)
    return out;
  // Below the hard limit only idle ones go, and none is idle before idle_after from its accept
  // (its engine starts after it): with the oldest younger than that, nothing to look at.
  if (pending_.size() + arriving <= limits_.hard
      && now - pending_.begin()->second.added < limits_.idle_after)
    return out;
  forget_finished();
  size_t left = pending_.size() + arriving;
  if (left <= limits_.soft)
    return out;
  // The candidates: every one when the hard limit needs some, else the idle ones alone.
  bool hard = left > limits_.hard;
  std::vector<standing> order;
  for (const auto& [id, e] : pending_) {
    auto s = standing_of(id, e, now);
    if (hard || s.rank == 0)
      order.push_back(s);
  }
  // Sorted lazily: the first `sorted` are in eviction order (one victim: a linear scan).
  size_t sorted = 0;
  auto at = [&](size_t i) -> const standing& {
    if (i >= sorted) {
      auto upto = std::min(order.size(), std::max(i + 1, 2 * sorted));
      std::partial_sort(order.begin() + static_cast<std::ptrdiff_t>(sorted),
                        order.begin() + static_cast<std::ptrdiff_t>(upto), order.end());
      sorted = upto;
    }
    return order[i];
  };
  // Bytes waiting to be read: progress the engine has not seen yet. Such a one is active now.
  std::vector<uint64_t> spared;
  auto unread = [&](const standing& s) {
    if (s.rank == 2 || !has_unread || !has_unread(s.id))
      return false;
    if (const auto& p = pending_[s.id].progress)
      p->note(true, now);
    spared.push_back(s.id);
    return true;
  };
  size_t next = 0;
  for (; left > limits_.hard && next < order.size(); ++next) {
    const auto& s = at(next);
    if (unread(s))
      continue;
    out.push_back({s.id, s.rank == 0 ? why::idle : why::hard_limit});
    --left;
  }
  for (size_t i = 0; left > limits_.hard && i < spared.size(); ++i, --left)
    out.push_back({spared[i], why::hard_limit});
  for (; left > limits_.soft && next < order.size() && at(next).rank == 0; ++next) {
    if (unread(order[next]))
      continue;
    out.push_back({order[next].id, why::idle});
    --left;
  }
  for (const auto& v : out)
    pending_.erase(v.id);
  return out;
}

} // namespace cafmq
