// Monitor callbacks run on the context's event thread: one that blocks delays neither the
// connection's handshake nor its messages, and still receives every event in order afterwards.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/sanitizers.hpp"

#include "actors/control.hpp"
#include "net/io_pool.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <pthread.h>

#include <mutex>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 10000ms;

std::string this_thread_name() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

// What a callback saw, from the thread it ran on.
struct recorder {
  std::mutex mtx;
  std::vector<monitor_event> events;
  std::vector<std::string> threads;
  size_t size() {
    std::lock_guard<std::mutex> guard{mtx};
    return events.size();
  }
};

TEST(EventCallbackThread, ABlockedCallbackDelaysNeitherHandshakeNorMessages) {
  // The callback blocks far longer than bind, handshake and a message take, sanitizers included.
  const auto blocked_for = test::sanitized_build ? 5000ms : 1000ms;
  const auto bound = test::sanitized_build ? 2500ms : 500ms;
  recorder seen; // callbacks run until the context is closed: what they use outlives it
  bool first = true;
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  socket push{ctx, socket_type::push, test::no_linger()};
  auto stream = pull.monitor(); // the order the events were emitted in
  pull.add_event_callback([&](const monitor_event& e) {
    if (first) {
      first = false;
      std::this_thread::sleep_for(blocked_for); // the slow callback under test
    }
    std::lock_guard<std::mutex> guard{seen.mtx};
    seen.events.push_back(e);
    seen.threads.push_back(this_thread_name());
  });
  auto start = test::clock::now();
  pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"through"}, budget));
  auto m = pull.recv(budget);
  auto took = test::clock::now() - start;
  ASSERT_TRUE(m.has_value());
  EXPECT_LT(took, bound) << "bind, handshake and a message waited for the blocked callback: "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                         << " ms";
  std::vector<monitor_event> emitted;
  ASSERT_TRUE(test::next_event(stream, event_kind::handshake_succeeded, budget, &emitted))
    << test::describe(emitted);
  ASSERT_TRUE(test::eventually([&] { return seen.size() >= emitted.size(); }, budget))
    << "the callback got " << seen.size() << " of " << emitted.size() << " events";
  std::lock_guard<std::mutex> guard{seen.mtx};
  for (size_t i = 0; i < emitted.size(); ++i) {
    EXPECT_EQ(seen.events[i].kind, emitted[i].kind) << "event " << i << " out of order";
    EXPECT_EQ(seen.events[i].connection_id, emitted[i].connection_id) << "event " << i;
    EXPECT_EQ(seen.threads[i], "cafmq/events") << "event " << i;
  }
}

TEST(EventCallbackThread, ARemovedCallbackIsNotCalledForLaterEvents) {
  std::atomic<int> removed_calls{0};
  std::atomic<int> kept_calls{0};
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  auto removed = s.add_event_callback([&](const monitor_event&) { ++removed_calls; });
  s.add_event_callback([&](const monitor_event&) { ++kept_calls; });
  s.bind("tcp://127.0.0.1:*");
  ASSERT_TRUE(test::eventually([&] { return kept_calls == 1; }, budget));
  EXPECT_EQ(removed_calls.load(), 1);
  s.remove_event_callback(removed);
  s.bind("tcp://127.0.0.1:*");
  // The kept callback is queued after the removed one's would have been: once it ran, the
  // removed one would have too.
  ASSERT_TRUE(test::eventually([&] { return kept_calls == 2; }, budget));
  EXPECT_EQ(removed_calls.load(), 1);
  EXPECT_EQ(s.event_callback_dropped(removed), 0u);
}

TEST(EventCallbackThread, NoCallbackRunsAfterTheContextIsClosed) {
  std::atomic<bool> closed{false};
  std::atomic<int> late{0};
  std::atomic<int> calls{0};
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  socket push{ctx, socket_type::push, test::no_linger()};
  pull.add_event_callback([&](const monitor_event&) {
    std::this_thread::sleep_for(20ms); // a slow callback: events queue up behind it
    ++calls;
    if (closed)
      ++late;
  });
  pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"x"}, budget));
  ASSERT_TRUE(pull.recv(budget).has_value());
  ctx.close();
  closed = true;
  int after_close = calls;
  EXPECT_GE(after_close, 3) << "listening, accepted and handshake_succeeded at least";
  std::this_thread::sleep_for(100ms); // room for a straggler to show itself
  EXPECT_EQ(late.load(), 0);
  EXPECT_EQ(calls.load(), after_close);
}

} // namespace
} // namespace cafmq
