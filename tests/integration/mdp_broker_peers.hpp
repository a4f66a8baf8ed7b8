// Raw MDP/0.1 peers for the broker's integration tests: DEALER sockets speaking RFC 7 through
// the codec (patterns/mdp_codec.hpp), and a broker bound on a loopback port.
#pragma once

#include "patterns/mdp_codec.hpp"
#include "runtime/cafmq.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cafmq::test::mdp_peers {

namespace mdpc = patterns::mdp;
using namespace std::chrono_literals;

/// Options for tests: short heartbeats unless told otherwise, nothing lingers.
inline mdp::broker_options quick(std::chrono::milliseconds heartbeat = 10000ms,
                                 std::chrono::milliseconds expiry = 10000ms) {
  mdp::broker_options o;
  o.socket = no_linger();
  o.heartbeat_interval = heartbeat;
  o.request_expiry = expiry;
  return o;
}

/// A broker on tcp://127.0.0.1:*.
struct bound_broker {
  context ctx;
  mdp::broker broker;
  std::string endpoint;
  explicit bound_broker(mdp::broker_options o = quick())
    : broker(ctx, std::move(o)), endpoint(broker.bind("tcp://127.0.0.1:*")) {}
};

/// A worker: a DEALER named `id` that sends READY for `service` at once.
struct raw_worker {
  socket sock;
  raw_worker(context& ctx, const std::string& endpoint, const std::string& id,
             const std::string& service, bool ready = true)
    : sock(ctx, socket_type::dealer, [&] {
        auto o = no_linger();
        o.routing_id = id;
        return o;
      }()) {
    sock.connect(endpoint);
    if (ready) {
      EXPECT_TRUE(sock.send(mdpc::worker_ready(service), 2000ms));
    }
  }
  /// The next command other than HEARTBEAT (counted in `heartbeats`), within `timeout`.
  std::optional<mdpc::worker_message> next(std::chrono::milliseconds timeout = 3000ms) {
    deadline d{timeout};
    while (auto m = sock.recv(d.remaining())) {
      mdpc::worker_message w;
      EXPECT_EQ(mdpc::parse_worker_inbound(*m, w), mdpc::fault::none);
      if (w.cmd == mdpc::command::heartbeat) {
        ++heartbeats;
        continue;
      }
      return w;
    }
    return std::nullopt;
  }
  /// Answers a REQUEST with `body`.
  void reply(const mdpc::worker_message& request, const std::string& body) {
    EXPECT_TRUE(sock.send(mdpc::worker_reply(request.client, message{body}), 2000ms));
  }
  void signal(mdpc::command c) { EXPECT_TRUE(sock.send(mdpc::worker_signal(c), 2000ms)); }
  int heartbeats = 0;
};

/// A client: a DEALER.
struct raw_client {
  socket sock;
  raw_client(context& ctx, const std::string& endpoint) : sock(ctx, socket_type::dealer, no_linger()) {
    sock.connect(endpoint);
  }
  void request(const std::string& service, const std::string& body) {
    EXPECT_TRUE(sock.send(mdpc::client_request(service, message{body}, true), 2000ms));
  }
  /// The next reply's service and first body frame.
  std::optional<std::pair<std::string, std::string>> reply(std::chrono::milliseconds timeout = 3000ms) {
    auto m = sock.recv(timeout);
    if (!m)
      return std::nullopt;
    mdpc::client_message c;
    EXPECT_EQ(mdpc::parse_client_reply(*m, true, c), mdpc::fault::none);
    return std::make_pair(c.service, c.body.empty() ? std::string() : c.body[0].to_string());
  }
};

/// Waits until `get(broker.stats())` reaches `want`.
template <class Get>
bool stat_reaches(const mdp::broker& b, Get get, uint64_t want, std::chrono::milliseconds budget = 5000ms) {
  return eventually([&] { return get(b.stats()) >= want; }, budget);
}

/// Waits until `n` workers are registered; on failure says whether the READY was waiting unread
/// in the ROUTER: a new connection wakes the broker, so a READY handled right after was there
/// all along and the broker missed its readiness wake-up.
inline ::testing::AssertionResult workers_reach(context& ctx, const std::string& endpoint,
                                                const mdp::broker& b, uint64_t n) {
  auto workers = [](const mdp::broker_stats& s) { return s.workers; };
  if (stat_reaches(b, workers, n))
    return ::testing::AssertionSuccess();
  socket poke{ctx, socket_type::dealer, no_linger()};
  poke.connect(endpoint);
  bool woken = stat_reaches(b, workers, n, 2000ms);
  return ::testing::AssertionFailure()
         << n << " workers not registered within 5 s; after a new connection woke the broker: "
         << (woken ? "registered (the READY was waiting unread: a missed wake-up)" : "still not");
}

} // namespace cafmq::test::mdp_peers
