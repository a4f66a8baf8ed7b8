#include "patterns/ppp_worker_registry.hpp"

namespace cafmq::patterns::ppp {

void worker_registry::make_idle(const std::string& id, entry& e) {
  if (e.state == worker_state::idle)
    lru_.erase(e.in_lru);
  e.state = worker_state::idle;
  e.in_lru = lru_.insert(lru_.end(), id);
}

void worker_registry::ready(const std::string& id, time_point now) {
  auto [it, added] = workers_.try_emplace(id);
  if (added)
    it->second.state = worker_state::busy;  // not in the LRU list yet: make_idle adds it
  it->second.expiry = now + timing_.silence_limit();
  make_idle(id, it->second);
}

bool worker_registry::heartbeat(const std::string& id, time_point now) {
  auto it = workers_.find(id);
  if (it == workers_.end())
    return false;
  it->second.expiry = now + timing_.silence_limit();
  return true;
}

bool worker_registry::reply(const std::string& id, time_point now) {
  auto it = workers_.find(id);
  if (it == workers_.end())
    return false;
  it->second.expiry = now + timing_.silence_limit();
  make_idle(id, it->second);
  return true;
}

std::optional<std::string> worker_registry::take(time_point now) {
  for (auto i = lru_.begin(); i != lru_.end(); ++i) {
    auto& e = workers_.at(*i);
    if (e.expiry <= now)
      continue;  // dead, left for expire()
    std::string id = *i;
    lru_.erase(i);
    e.state = worker_state::busy;
    return id;
  }
  return std::nullopt;
}

std::vector<std::string> worker_registry::expire(time_point now) {
  std::vector<std::string> dead;
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->second.expiry > now) {
      ++it;
      continue;
    }
    if (it->second.state == worker_state::idle)
      lru_.erase(it->second.in_lru);
    dead.push_back(it->first);
    it = workers_.erase(it);
  }
  return dead;
}

std::vector<std::string> worker_registry::idle() const {
  return {lru_.begin(), lru_.end()};
}

std::optional<worker_state> worker_registry::state(const std::string& id) const {
  auto it = workers_.find(id);
  if (it == workers_.end())
    return std::nullopt;
  return it->second.state;
}

std::optional<time_point> worker_registry::next_expiry() const {
  std::optional<time_point> first;
  for (auto& [id, e] : workers_)
    if (!first || e.expiry < *first)
      first = e.expiry;
  return first;
}

} // namespace cafmq::patterns::ppp
