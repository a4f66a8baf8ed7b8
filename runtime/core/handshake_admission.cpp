#include "runtime/core/handshake_admission.hpp"

#include <algorithm>

namespace cafmq {

void handshake_admission::add(uint64_t id, handshake_progress_ptr progress, clock::time_point now) {
  pending_[id] = entry{std::move(progress), now};
}

bool handshake_admission::done(uint64_t id) {
  return pending_.erase(id) > 0;
}

handshake_admission::standing handshake_admission::standing_of(uint64_t id, const entry& e,
                                                               clock::time_point now) const {
  const auto* p = e.progress.get();
  if (p != nullptr && p->started() && now - p->last() >= limits_.idle_after)
    return {0, p->last(), id};
  if (p == nullptr || !p->heard())
    return {1, e.added, id};
  return {2, p->last(), id};
}

std::vector<handshake_admission::victim>
handshake_admission::evict(clock::time_point now, size_t arriving, const unread_probe& has_unread) {
  std::vector<victim> out;
  if (pending_.size() + arriving <= limits_.soft)
    return out;
  std::vector<standing> order;
  order.reserve(pending_.size());
  for (const auto& [id, e] : pending_)
    if (!e.progress || !e.progress->finished())
      order.push_back(standing_of(id, e, now));
  std::sort(order.begin(), order.end());
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
  size_t left = pending_.size() + arriving;
  auto next = order.begin();
  for (; left > limits_.hard && next != order.end(); ++next) {
    if (unread(*next))
      continue;
    out.push_back({next->id, next->rank == 0 ? why::idle : why::hard_limit});
    --left;
  }
  for (size_t i = 0; left > limits_.hard && i < spared.size(); ++i, --left)
    out.push_back({spared[i], why::hard_limit});
  for (; left > limits_.soft && next != order.end() && next->rank == 0; ++next) {
    if (unread(*next))
      continue;
    out.push_back({next->id, why::idle});
    --left;
  }
  for (const auto& v : out)
    pending_.erase(v.id);
  return out;
}

} // namespace cafmq
