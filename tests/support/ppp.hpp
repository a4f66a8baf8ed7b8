// Paranoid Pirate tests: short timings (250 ms heartbeats, liveness 3: a thread stalled for a
// few hundred ms on a loaded machine or under TSan does not expire a worker), an echo worker handler,
// a lazy-pirate-style client call, and binding an endpoint again after a restart.
#pragma once

#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace cafmq::test {

constexpr milliseconds ppp_interval{250};
constexpr int ppp_liveness = 3;

inline ppp::queue_options fast_queue() {
  ppp::queue_options o;
  o.liveness = ppp_liveness;
  o.heartbeat_interval = ppp_interval;
  return o;
}

inline ppp::worker_options fast_worker() {
  ppp::worker_options o;
  o.liveness = ppp_liveness;
  o.heartbeat_interval = ppp_interval;
  o.reconnect_initial = ppp_interval;
  o.reconnect_max = 4 * ppp_interval;
  return o;
}

/// "echo:" + the request's first frame.
inline message echo(const message& body) {
  return message{"echo:" + body[0].to_string()};
}

/// One request through a fresh REQ (lazy pirate: each attempt a new socket, up to `attempts`
/// attempts of `timeout` each); the reply's first frame, or nullopt.
inline std::optional<std::string> call(context& ctx, const std::string& endpoint,
                                       const std::string& request, milliseconds timeout,
                                       int attempts = 1) {
  for (int i = 0; i < attempts; ++i) {
    socket req{ctx, socket_type::req, no_linger()};
    req.connect(endpoint);
    if (!req.send(message{request}, timeout))
      continue;
    if (auto reply = req.recv(timeout))
      return (*reply)[0].to_string();
  }
  return std::nullopt;
}

/// `make()` retried while the address is still taken (a restarted server's old port).
template <class Make>
auto bind_again(Make make, milliseconds budget = milliseconds{5000}) {
  deadline d{budget};
  for (;;) {
    try {
      return make();
    } catch (const error& e) {
      if (e.code() != errc::address_in_use || d.expired())
        throw;
    }
    std::this_thread::sleep_for(milliseconds{10});
  }
}

} // namespace cafmq::test
