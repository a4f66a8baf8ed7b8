// `cafmq broker`: a Majordomo broker (runtime/majordomo_broker.hpp) as a daemon. Binds, reports
// wildcard binds ("bound EP" on stderr), runs until SIGINT/SIGTERM, then stops with --drain-ms
// and prints the stop's summary on stdout. --events prints the ROUTER's monitor events.
#include "commands.hpp"
#include "stop_signal.hpp"

#include "runtime/context.hpp"
#include "runtime/majordomo_broker.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace cafmq::cli {

namespace {

mdp::broker_options options_of(const cli_args& args) {
  mdp::broker_options o;
  o.socket = args.options;
  o.heartbeat_interval = std::chrono::milliseconds(args.mdp_heartbeat_ivl_ms);
  o.heartbeat_liveness = args.mdp_heartbeat_liveness;
  o.request_expiry = std::chrono::milliseconds(args.mdp_request_expiry_ms);
  o.max_queued_per_service = args.mdp_max_queued;
  o.max_services = args.mdp_max_services;
  o.max_workers = args.mdp_max_workers;
  o.expire_busy_workers = args.mdp_expire_busy_workers;
  o.busy_expiry = std::chrono::milliseconds(args.mdp_busy_expiry_ms);
  return o;
}

} // namespace

int run_broker(const cli_args& args) {
  stop_signal stop;  // first: the context's threads must inherit the blocked signals
  context ctx;
  mdp::broker broker{ctx, options_of(args)};
  if (args.events)
    broker.add_event_callback([](const monitor_event& e) {
      auto line = to_json(e) + "\n";
      std::fputs(line.c_str(), stderr);
    });
  for (auto& ep : args.endpoints) {
    auto bound = broker.bind(ep.address);
    if (picked_at_bind(ep.address))
      std::fprintf(stderr, "bound %s\n", bound.c_str());
  }
  stop.wait();
  stop.print_summary("stopping, draining up to " + std::to_string(args.mdp_drain_ms) + " ms",
                     false);
  auto summary = broker.stop(std::chrono::milliseconds(args.mdp_drain_ms));
  std::printf("%s\n", mdp::to_text(summary).c_str());
  std::fflush(stdout);
  return stop.status(0);
}

} // namespace cafmq::cli
