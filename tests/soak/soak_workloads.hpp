// The soak's workloads: four socket patterns over TCP on loopback, each with connection churn
// (the connecting side is closed and created again over and over), each checking what its
// pattern promises while counting messages. One thread per side; all stop on `running`.
#pragma once

#include "runtime/context.hpp"
#include "runtime/socket.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cafmq::soak {

/// What every workload reports; read by the sampler while the workloads run.
struct counters {
  std::atomic<uint64_t> messages{0};     ///< messages that completed their round (received)
  std::atomic<uint64_t> connections{0};  ///< connecting sockets created (churn)
  std::atomic<uint64_t> violations{0};   ///< broken promises (lost, reordered, wrong reply...)
};

/// A named workload with its counters.
struct workload {
  std::string name;
  counters count;
};

/// Runs the workloads on `ctx` until `running` turns false, then joins them (bounded: every
/// blocking call they make has a timeout).
class workloads {
public:
  /// `only`: run just the workload of that name (e.g. "push/pull"), to find what grows; empty:
  /// all of them. Throws std::invalid_argument for an unknown name.
  workloads(context& ctx, const std::atomic<bool>& running, const std::string& only = {});
  ~workloads();
  workloads(const workloads&) = delete;
  workloads& operator=(const workloads&) = delete;

  /// The workloads running.
  std::vector<workload*> all() const { return running_set_; }
  /// Stops and joins every thread; then checks that PUSH/PULL lost nothing (every message sent
  /// was received), waiting up to `drain` for the last ones. Returns false on a loss.
  bool stop_and_check(std::chrono::milliseconds drain);

private:
  void run_pusher();
  void run_puller();
  void run_publisher();
  void run_subscriber();
  void run_replier();
  void run_requester();
  void run_router();
  void run_dealers();

  context& ctx_;
  const std::atomic<bool>& running_;
  std::atomic<bool> sides_running_{true};  ///< the bound sides outlive the connecting ones
  workload pipeline_{"push/pull", {}};
  workload pubsub_{"pub/sub", {}};
  workload reqrep_{"req/rep", {}};
  workload routing_{"router/dealer", {}};
  std::unique_ptr<socket> pull_, pub_, rep_, router_;  ///< the bound sides, one thread each
  std::atomic<uint64_t> pushed_{0};
  std::vector<workload*> running_set_;
  std::vector<std::thread> connecting_, bound_;
};

/// Reports a violation on stderr (the first few of each workload) and counts it.
void violation(workload& w, const std::string& what);

} // namespace cafmq::soak
