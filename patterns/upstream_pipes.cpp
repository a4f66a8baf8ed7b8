// Pending subscriptions per publisher pipe: pushed in order, retried, compacted when long.
#include "patterns/upstream_pipes.hpp"

#include "patterns/subscription_message.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace cafmq::patterns {

namespace {

bool same(const message& a, const message& b) {
  return a.size() == 1 && b.size() == 1 && a[0].size() == b[0].size()
         && std::equal(a[0].data(), a[0].data() + a[0].size(), b[0].data());
}

} // namespace

void upstream_pipes::attach(pipe_ptr p, const std::vector<batch>& subscriptions) {
  pipes_.push_back({std::move(p), {}, 1024});
  for (auto& b : subscriptions)
    enqueue(pipes_.back(), b.msg, b.repeat);
  drain(pipes_.back());
}

void upstream_pipes::resend(const pipe_ptr& p, const std::vector<batch>& subscriptions) {
  for (auto& e : pipes_)
    if (e.pipe == p) {
      for (auto& b : subscriptions)
        enqueue(e, b.msg, b.repeat);
      drain(e);
    }
}

void upstream_pipes::send_subscription(const message& m) {
  for (auto& e : pipes_) {
    enqueue(e, m, 1);
    drain(e);
  }
}

void upstream_pipes::send_data(const message& m) {
  for (auto& e : pipes_) {
    message copy{m};
    if (e.pipe->detached())
      continue;
    if (e.pending.empty() && e.pipe->outbound().try_push(copy))
      e.pipe->outbound().flush();
    else {
      ++dropped_;  // RFC 29 XSUB: "SHALL silently drop the message if the outgoing queue ... is full"
      ++e.pipe->dropped;
    }
  }
}

void upstream_pipes::retry() {
  pipes_.erase(std::remove_if(pipes_.begin(), pipes_.end(),
                              [](const entry& e) { return e.pipe->detached(); }),
               pipes_.end());
  for (auto& e : pipes_)
    if (!e.pending.empty())
      drain(e);
}

bool upstream_pipes::prepare_wait() {
  bool room = false;
  for (auto& e : pipes_)
    if (!e.pending.empty() && !e.pipe->detached() && !e.pipe->outbound().writer_sleep())
      room = true;
  return !room;
}

size_t upstream_pipes::pending() const noexcept {
  size_t n = 0;
  for (auto& e : pipes_)
    for (auto& b : e.pending)
      n += b.repeat;
  return n;
}

void upstream_pipes::enqueue(entry& e, const message& m, size_t repeat) {
  if (repeat == 0)
    return;
  if (!e.pending.empty() && same(e.pending.back().msg, m)) {
    e.pending.back().repeat += repeat;
    return;
  }
  e.pending.push_back({m, repeat});
  if (e.pending.size() >= e.compact_at)
    compact(e);
}

void upstream_pipes::drain(entry& e) {
  auto& ring = e.pipe->outbound();
  bool pushed = false;
  while (!e.pending.empty()) {
    auto& b = e.pending.front();
    message copy{b.msg};
    if (!ring.try_push(copy))
      break;
    pushed = true;
    if (--b.repeat == 0)
      e.pending.pop_front();
  }
  if (pushed)
    ring.flush();
}

// Subscriptions are additive counts, so what is still to be sent can be summed per prefix: the
// publisher ends in the same state. The list then holds at most two entries per distinct prefix.
void upstream_pipes::compact(entry& e) {
  std::map<std::string, long long> net;
  std::vector<std::string> order;
  for (auto& b : e.pending) {
    std::string prefix{prefix_of(b.msg)};
    auto [it, fresh] = net.emplace(prefix, 0);
    if (fresh)
      order.push_back(prefix);
    it->second += is_subscribe(b.msg) ? static_cast<long long>(b.repeat) : -static_cast<long long>(b.repeat);
  }
  std::deque<batch> out;
  for (auto& prefix : order) {
    long long n = net[prefix];
    if (n != 0)
      out.push_back({subscription_message(prefix, n > 0), static_cast<size_t>(n > 0 ? n : -n)});
  }
  e.pending = std::move(out);
  e.compact_at = std::max<size_t>(1024, 2 * e.pending.size());
}

} // namespace cafmq::patterns
