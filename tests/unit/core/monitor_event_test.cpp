// Monitor events as values: the JSON rendering the CLI prints, and the bounded queue behind
// event_stream (never blocks the emitter; drops and counts the oldest when full).
#include "runtime/core/monitor_hub.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

monitor_event numbered(uint64_t id) {
  monitor_event e;
  e.kind = event_kind::accepted;
  e.connection_id = id;
  return e;
}

TEST(MonitorEventJson, CarriesEventAndEndpointAndOnlyTheFieldsThatAreSet) {
  monitor_event e;
  e.kind = event_kind::connect_retried;
  e.endpoint = "tcp://127.0.0.1:5555";
  e.reason = "connect failed: \"refused\"";
  e.reason_code = event_reason::refused;
  e.retry_ivl = 200ms;
  EXPECT_EQ(to_json(e), "{\"event\":\"connect_retried\",\"endpoint\":\"tcp://127.0.0.1:5555\","
                        "\"reason_code\":\"refused\",\"reason\":\"connect failed: \\\"refused\\\"\","
                        "\"retry_ivl_ms\":200}");
}

TEST(MonitorEventJson, EscapesBinaryRoutingIdsAndShowsTheZmtpVersion) {
  monitor_event e;
  e.kind = event_kind::handshake_succeeded;
  e.connection_id = 3;
  e.routing_id = std::string("\x00\x7f" "a\\", 4);
  e.zmtp_minor = 1;
  e.zmtp_known = true;
  e.mechanism = "NULL";
  EXPECT_EQ(to_json(e), "{\"event\":\"handshake_succeeded\",\"endpoint\":\"\",\"connection_id\":3,"
                        "\"routing_id\":\"\\u0000\\u007fa\\\\\",\"zmtp\":\"3.1\","
                        "\"mechanism\":\"NULL\"}");
}

TEST(MonitorEventNames, EveryKindAndReasonHasAName) {
  for (int k = 0; k <= static_cast<int>(event_kind::closed); ++k)
    EXPECT_STRNE(to_string(static_cast<event_kind>(k)), "unknown") << k;
  for (int r = 0; r <= static_cast<int>(event_reason::bad_endpoint); ++r)
    EXPECT_STRNE(to_string(static_cast<event_reason>(r)), "unknown") << r;
}

TEST(EventQueue, WhenFullDropsTheOldestAndCountsIt) {
  event_queue q{3};
  for (uint64_t i = 1; i <= 5; ++i)
    q.push(numbered(i));
  EXPECT_EQ(q.dropped(), 2u);
  auto now = std::chrono::steady_clock::now();
  for (uint64_t want = 3; want <= 5; ++want) {
    auto e = q.pop_until(now);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->connection_id, want);
  }
  EXPECT_FALSE(q.pop_until(now).has_value());
}

TEST(EventStream, EveryStreamGetsEveryEventAndStopsGettingThemOnceDestroyed) {
  auto hub = std::make_shared<monitor_hub>();
  EXPECT_FALSE(hub->active());
  event_stream a{hub, 8};
  {
    event_stream b{hub, 8};
    hub->emit(numbered(1));
    ASSERT_TRUE(b.next(0ms).has_value());
  }
  EXPECT_TRUE(hub->active());
  hub->emit(numbered(2));
  EXPECT_EQ(a.next(0ms)->connection_id, 1u);
  EXPECT_EQ(a.next(0ms)->connection_id, 2u);
  EXPECT_FALSE(a.next(0ms).has_value());
}

TEST(EventStream, NextWaitsForAnEventFromAnotherThread) {
  auto hub = std::make_shared<monitor_hub>();
  event_stream s{hub, 4};
  std::thread t{[hub] { hub->emit(numbered(9)); }};
  auto e = s.next(5000ms);
  t.join();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->connection_id, 9u);
}

TEST(EventStream, OutlivesItsHub) {
  std::optional<event_stream> s;
  {
    auto hub = std::make_shared<monitor_hub>();
    s.emplace(hub, 4);
    hub->emit(numbered(1));
  }
  EXPECT_TRUE(s->next(0ms).has_value());
  s.reset();  // unregistering from a hub that is gone is harmless
}

} // namespace
} // namespace cafmq
