// The actor face's deliveries (runtime/actor_socket.hpp): batches only against credit (never
// more in the receiver's mailbox than granted), with each message's peer; a receiver that stops
// granting keeps memory bounded while the pushing peer blocks, and then gets everything in order.
#include "support/actor_face.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/rss.hpp"
#include "support/sanitizers.hpp"

#include "runtime/core/log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(ActorSocketDelivery, NeverMoreThanTheGrantedCredit) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system system{cfg};
  context ctx{system};
  socket push{ctx, socket_type::push, test::no_linger()};
  caf::scoped_actor self{system};
  auto pull = actor_socket::spawn(self.ptr(), ctx, socket_type::pull, test::no_linger());
  auto ep = test::ask<std::string>(self, pull, bind_atom::value, std::string{"tcp://127.0.0.1:*"});
  ASSERT_TRUE(ep) << actor_error_text(ep.error());
  push.connect(*ep);
  constexpr uint64_t total = 1000;
  for (uint64_t i = 0; i < total; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i), 5000ms));

  test::collected got;
  self->send(pull, credit_atom::value, 10);
  test::collect(self, got, 10, 5000ms);
  ASSERT_EQ(got.items.size(), 10u);
  test::collect(self, got, 11, 300ms);  // no more than granted, however long we wait
  EXPECT_EQ(got.items.size(), 10u) << "delivered beyond the credit";

  size_t granted = 10;
  while (granted < total) {
    int n = static_cast<int>(std::min<size_t>(37, total - granted));
    self->send(pull, credit_atom::value, n);
    granted += static_cast<size_t>(n);
    test::collect(self, got, granted, 5000ms);
    ASSERT_EQ(got.items.size(), granted) << "deliveries must match the grants exactly";
  }
  for (uint64_t i = 0; i < total; ++i)
    ASSERT_EQ(test::sequence_of(got.items[i].msg), i) << "out of order";
  ASSERT_TRUE(got.items.front().peer) << "a PULL knows its peer";
  EXPECT_EQ(got.items.front().peer->socket_type(), "PUSH");
  for (auto b : got.batches)
    EXPECT_LE(b, 256u) << "a batch above batch_max";
}

TEST(ActorSocketDelivery, ASlowActorKeepsMemoryBoundedAndLosesNothing) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system system{cfg};
  context ctx{system};
  constexpr size_t size = 64 * 1024;
  socket_options o = test::no_linger();
  o.sndhwm = 50;
  o.rcvhwm = 50;
  socket push{ctx, socket_type::push, o};
  caf::scoped_actor self{system};
  auto pull = actor_socket::spawn(self.ptr(), ctx, socket_type::pull, o);
  auto ep = test::ask<std::string>(self, pull, bind_atom::value, std::string{"tcp://127.0.0.1:*"});
  ASSERT_TRUE(ep) << actor_error_text(ep.error());
  push.connect(*ep);
  test::collected got;
  ASSERT_TRUE(push.send(test::sequenced(0, size), 5000ms));
  self->send(pull, credit_atom::value, 1);  // one message through, then no more credit
  test::collect(self, got, 1, 5000ms);
  ASSERT_EQ(got.items.size(), 1u);

  auto rss_before = test::resident_bytes();
  uint64_t sent = 1;
  int misses = 0;
  test::deadline d{30000ms};
  // Far more than the HWMs are offered: the pusher must block (three 100 ms timeouts in a row).
  while (misses < 3 && !d.expired()) {
    if (push.send(test::sequenced(sent, size), 100ms)) {
      ++sent;
      misses = 0;
    } else {
      ++misses;
    }
  }
  ASSERT_EQ(misses, 3) << "the pusher never blocked: " << sent << " messages accepted";
  auto rss_after = test::resident_bytes();
  size_t backlog = sent - 1;
  size_t hwm_bytes = (o.sndhwm + o.rcvhwm) * size;
  EXPECT_LT(backlog * size, hwm_bytes + (32u << 20)) << backlog << " messages accepted";
  if (test::rss_is_meaningful) {
    EXPECT_LT(rss_after, rss_before + hwm_bytes + (48u << 20))
      << "RSS grew by " << ((rss_after - rss_before) >> 20) << " MiB for a " << backlog
      << "-message backlog (HWMs: " << (hwm_bytes >> 20) << " MiB)";
  }
  test::collect(self, got, 2, 100ms);
  EXPECT_EQ(got.items.size(), 1u) << "delivered without credit";

  self->send(pull, credit_atom::value, static_cast<int>(sent));
  test::collect(self, got, sent, 20000ms);
  ASSERT_EQ(got.items.size(), sent) << "lost messages";
  for (uint64_t i = 0; i < sent; ++i) {
    ASSERT_EQ(test::sequence_of(got.items[i].msg), i) << "out of order or duplicated";
    ASSERT_TRUE(test::pattern_intact(got.items[i].msg)) << "payload " << i << " corrupted";
  }
  ASSERT_TRUE(push.send(test::sequenced(sent, size), 5000ms)) << "the pusher flows again";
}

TEST(ActorSocketDelivery, ANonPositiveCreditIsLoggedAndGrantsNothing) {
  std::mutex lock;
  std::vector<std::string> lines;
  struct sink_guard {
    ~sink_guard() { log::set_sink(nullptr); }  // however the test ends
  } restore;
  log::set_sink([&](log::level l, std::string_view component, std::string_view text) {
    if (l <= log::level::warn && component == "actor_socket") {
      std::lock_guard<std::mutex> g{lock};
      lines.emplace_back(text);
    }
  });
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  socket push{ctx, socket_type::push, test::no_linger()};
  caf::scoped_actor self{system};
  auto pull = actor_socket::spawn(self.ptr(), ctx, socket_type::pull, test::no_linger());
  auto ep = test::ask<std::string>(self, pull, bind_atom::value, std::string{"tcp://127.0.0.1:*"});
  ASSERT_TRUE(ep) << actor_error_text(ep.error());
  push.connect(*ep);
  ASSERT_TRUE(push.send(test::sequenced(0), 5000ms));
  self->send(pull, credit_atom::value, 0);
  self->send(pull, credit_atom::value, -5);
  // Same sender, so handled in order: once this answers, both grants were seen.
  ASSERT_TRUE(test::ask<std::string>(self, pull, bind_atom::value,
                                     std::string{"tcp://127.0.0.1:*"}));
  test::collected got;
  test::collect(self, got, 1, 200ms);
  EXPECT_EQ(got.items.size(), 0u) << "a non-positive credit granted something";
  std::lock_guard<std::mutex> g{lock};
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("must be positive, not 0"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("must be positive, not -5"), std::string::npos) << lines[1];
}

} // namespace
} // namespace cafmq
