// An exception inside one engine on the I/O thread (the fault point at the start of its read
// handler) ends that one connection with code internal: one ROUTER with 101 DEALERs on one
// context, so all 202 engines share one I/O thread. The other 100 peers lose not one message
// (exact sequence numbers per peer), and the faulted peer's connector redials and works again.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/fault_injection.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr int peers = 101;
constexpr uint64_t per_peer = 50;
constexpr auto budget = 10000ms;

std::string id_of(int i) {
  return "peer-" + std::to_string(i);
}

struct fault_reset {
  fault_reset() { fault::reset(); }
  ~fault_reset() { fault::reset(); }
};

struct router_with_dealers {
  context ctx;
  socket router{ctx, socket_type::router, test::no_linger()};
  event_stream events{router.monitor(8192)};
  std::vector<std::unique_ptr<socket>> dealers;
  std::vector<monitor_event> seen;
  std::map<uint64_t, std::string> peer_of_connection;  // from handshake_succeeded events

  router_with_dealers() {
    router.bind("tcp://127.0.0.1:*");
    for (int i = 0; i < peers; ++i) {
      auto o = test::no_linger();
      o.routing_id = id_of(i);
      o.reconnect_ivl_ms = 20;
      dealers.push_back(std::make_unique<socket>(ctx, socket_type::dealer, o));
      dealers.back()->connect(router.last_endpoint());
    }
  }

  // Reads events until `pred` holds for one (returned) or the budget runs out.
  template <class Pred>
  std::optional<monitor_event> event_where(Pred pred, std::chrono::milliseconds within) {
    test::deadline d{within};
    while (!d.expired()) {
      auto e = events.next(d.remaining());
      if (!e)
        break;
      seen.push_back(*e);
      if (e->kind == event_kind::handshake_succeeded)
        peer_of_connection[e->connection_id] = e->routing_id;
      if (pred(*e))
        return e;
    }
    return std::nullopt;
  }
};

TEST(EngineFaultIsolation, AnExceptionInOneEngineEndsOnlyThatConnection) {
  fault_reset guard;
  router_with_dealers r;
  // Every peer is connected and heard from before the fault is armed.
  std::map<std::string, std::vector<uint64_t>> got;
  for (int i = 0; i < peers; ++i)
    ASSERT_TRUE(r.dealers[i]->send(message{"hello"}, budget));
  test::deadline hello{budget};
  for (int i = 0; i < peers; ++i) {
    auto m = r.router.recv(hello.remaining());
    ASSERT_TRUE(m.has_value()) << "only " << i << " of " << peers << " peers said hello";
    ASSERT_EQ(m->size(), 2u);
    got[std::string((*m)[0].view())];
  }
  ASSERT_EQ(got.size(), static_cast<size_t>(peers));

  fault::arm(fault::point::engine, 1);
  for (uint64_t seq = 0; seq < per_peer; ++seq)
    for (int i = 0; i < peers; ++i)
      ASSERT_TRUE(r.dealers[i]->send(test::sequenced(seq), budget));

  // Exactly one connection ends, with code internal.
  auto failed = r.event_where(
    [](const monitor_event& e) { return e.kind == event_kind::disconnected; }, budget);
  ASSERT_TRUE(failed) << test::describe(r.seen);
  EXPECT_EQ(failed->reason_code, event_reason::internal) << failed->reason;
  EXPECT_NE(failed->reason.find("internal error"), std::string::npos) << failed->reason;
  EXPECT_EQ(fault::fired(fault::point::engine), 1u);
  ASSERT_EQ(r.peer_of_connection.count(failed->connection_id), 1u) << test::describe(r.seen);
  const std::string faulted = r.peer_of_connection[failed->connection_id];

  // The other 100 peers: every sequence number, in order.
  auto complete = [&] {
    for (auto& [peer, seqs] : got)
      if (peer != faulted && seqs.size() < per_peer)
        return false;
    return true;
  };
  test::deadline all{budget};
  while (!complete() && !all.expired()) {
    auto m = r.router.recv(all.remaining());
    if (!m)
      break;
    ASSERT_EQ(m->size(), 2u);
    got[std::string((*m)[0].view())].push_back(test::sequence_of(message{(*m)[1]}));
  }
  for (auto& [peer, seqs] : got) {
    if (peer == faulted)
      continue;
    ASSERT_EQ(seqs.size(), per_peer) << peer << " lost messages";
    for (uint64_t seq = 0; seq < per_peer; ++seq)
      ASSERT_EQ(seqs[seq], seq) << peer;
  }

  // The faulted peer redials, and what it sends now arrives.
  auto back = r.event_where(
    [&](const monitor_event& e) {
      return e.kind == event_kind::handshake_succeeded && e.routing_id == faulted;
    },
    budget);
  ASSERT_TRUE(back) << "the faulted peer " << faulted << " did not reconnect\n"
                    << test::describe(r.seen);
  int index = std::stoi(faulted.substr(5));
  ASSERT_TRUE(r.dealers[index]->send(message{"back again"}, budget));
  test::deadline again{budget};
  bool arrived = false;
  while (!arrived && !again.expired()) {
    auto m = r.router.recv(again.remaining());
    if (!m)
      break;
    arrived = m->size() == 2 && (*m)[0].view() == faulted && (*m)[1].view() == "back again";
  }
  EXPECT_TRUE(arrived) << "nothing from " << faulted << " after it reconnected";
  EXPECT_EQ(fault::fired(fault::point::engine), 1u);
}

} // namespace
} // namespace cafmq
