// The Paranoid Pirate queue's bookkeeping (RFC 6, the zguide's ppqueue): the workers it knows,
// idle ones in least-recently-used order, each with the deadline after which a silent worker is
// dead (liveness x interval after it was last heard). Pure: every call takes the time point.
//
// A worker joins with READY. HEARTBEAT and replies only refresh a known worker (an unknown
// worker must send READY first; the queue does not answer it, so the worker's own liveness
// makes it reconnect and send READY). A worker taken for a request is busy until its reply.
#pragma once

#include "patterns/ppp_timing.hpp"

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cafmq::patterns::ppp {

/// What a worker is doing.
enum class worker_state { idle, busy };

class worker_registry {
public:
  explicit worker_registry(const timing& t) noexcept : timing_(t) {}

  /// READY from `id` at `now`: the worker is (again) idle, last in LRU order. A READY from a
  /// worker it holds as busy means the worker restarted and its request is lost.
  void ready(const std::string& id, time_point now);
  /// HEARTBEAT from `id`: refreshes its deadline. False for an unknown worker.
  bool heartbeat(const std::string& id, time_point now);
  /// A reply from `id`: refreshes it and makes it idle again, last in LRU order. False for an
  /// unknown worker.
  bool reply(const std::string& id, time_point now);
  /// Takes the least recently used idle worker for a request (it becomes busy); nullopt if none
  /// is idle. Call expire() first so that no dead worker is taken.
  std::optional<std::string> take(time_point now);
  /// Removes every worker whose deadline has passed at `now` and returns their ids.
  std::vector<std::string> expire(time_point now);
  /// The idle workers, least recently used first (the ones the queue heartbeats).
  std::vector<std::string> idle() const;

  /// Workers known (idle + busy).
  size_t size() const noexcept { return workers_.size(); }
  size_t idle_count() const noexcept { return lru_.size(); }
  bool contains(const std::string& id) const { return workers_.count(id) != 0; }
  std::optional<worker_state> state(const std::string& id) const;
  /// The earliest deadline of a known worker, or nullopt when there is none.
  std::optional<time_point> next_expiry() const;

private:
  struct entry {
    worker_state state = worker_state::idle;
    time_point expiry;
    std::list<std::string>::iterator in_lru;  // valid while idle
  };
  void make_idle(const std::string& id, entry& e);

  timing timing_;
  std::unordered_map<std::string, entry> workers_;
  std::list<std::string> lru_;  // idle workers, least recently used first
};

} // namespace cafmq::patterns::ppp
