// The supervised proxy actor (runtime/proxy_actor.hpp): started, asked for statistics, paused,
// resumed and stopped; observed (monitor events of its sockets); stopped by its owner's death;
// and its loop's failure (the context closed under it) seen by a monitoring owner.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/actor_api.hpp"
#include "runtime/proxy_actor.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::no_linger;
constexpr auto budget = 5000ms;

template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const proxy_actor& p, Ts&&... xs) {
  caf::expected<T> out{caf::sec::request_timeout};
  self->request(p, std::chrono::seconds(10), std::forward<Ts>(xs)...)
    .receive([&](T& v) { out = std::move(v); }, [&](caf::error& e) { out = std::move(e); });
  return out;
}

// The down_msg reason of `who`, or nullopt after 10 s.
std::optional<caf::error> down_of(caf::scoped_actor& self, const caf::actor_addr& who) {
  std::optional<caf::error> out;
  test::deadline d{10000ms};
  while (!out && !d.expired())
    self->receive(
      [&](caf::down_msg& dm) {
        if (dm.source == who)
          out = dm.reason;
      },
      [](const monitor_event&) {}, caf::after(d.remaining()) >> [] {});
  return out;
}

proxy_spec pull_push(const std::string& name) {
  proxy_spec spec;
  spec.frontend = {socket_type::pull, {"inproc://" + name + "-front"}, {}, no_linger()};
  spec.backend = {socket_type::push, {"inproc://" + name + "-back"}, {}, no_linger()};
  return spec;
}

TEST(ProxyActor, StartsCountsPausesResumesAndStopsWithTheFinalStatistics) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx;
  {
    caf::scoped_actor self{system};
    caf::scoped_actor watcher{system};
    auto spec = pull_push("pa-steer");
    spec.frontend.binds = {"tcp://127.0.0.1:*"};
    spec.observers = {caf::actor_cast<caf::actor>(watcher)};
    proxy_actor p = proxy_actors::spawn(self.ptr(), ctx, spec);
    self->monitor(p);
    auto stats0 = ask<proxy_statistics>(self, p, proxy_stats_atom::value);
    ASSERT_TRUE(stats0) << system.render(stats0.error());
    EXPECT_EQ(stats0->frontend_messages_in, 0u);
    // The frontend's port is the one it bound: ask its monitor events (observed by watcher).
    std::string front;
    socket source{ctx, socket_type::push, no_linger()};
    socket sink{ctx, socket_type::pull, no_linger()};
    sink.connect("inproc://pa-steer-back");
    test::deadline d{budget};
    while (front.empty() && !d.expired())
      watcher->receive(
        [&](const monitor_event& e) {
          if (e.kind == event_kind::listening)
            front = e.endpoint;
        },
        caf::after(d.remaining()) >> [] {});
    ASSERT_FALSE(front.empty()) << "the observer saw no listening event";
    source.connect(front);
    ASSERT_TRUE(source.send(message{"one"}, budget));
    ASSERT_TRUE(sink.recv(budget));
    auto stats1 = ask<proxy_statistics>(self, p, proxy_stats_atom::value);
    ASSERT_TRUE(stats1);
    EXPECT_EQ(stats1->frontend_messages_in, 1u);
    EXPECT_EQ(stats1->backend_bytes_out, 3u);

    ASSERT_TRUE(ask<caf::ok_atom>(self, p, proxy_pause_atom::value));
    ASSERT_TRUE(ask<proxy_statistics>(self, p, proxy_stats_atom::value));  // after the PAUSE
    ASSERT_TRUE(source.send(message{"two"}, budget));
    EXPECT_FALSE(sink.recv(300ms)) << "a paused proxy forwarded";
    ASSERT_TRUE(ask<caf::ok_atom>(self, p, proxy_resume_atom::value));
    ASSERT_TRUE(sink.recv(budget));

    auto final_stats = ask<proxy_statistics>(self, p, proxy_stop_atom::value);
    ASSERT_TRUE(final_stats);
    EXPECT_EQ(final_stats->backend_messages_out, 2u);
    auto reason = down_of(self, p.address());
    ASSERT_TRUE(reason);
    EXPECT_FALSE(*reason) << system.render(*reason);  // a normal end
  }
}

caf::behavior proxy_owner(caf::event_based_actor* self, context* ctx, caf::actor report) {
  auto p = proxy_actors::spawn(self, *ctx, pull_push("pa-owner"));
  self->send(report, p);
  return {[](int) {}};
}

TEST(ProxyActor, TheOwnersDeathStopsIt) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx;
  {
    caf::scoped_actor self{system};
    auto owner = system.spawn(proxy_owner, &ctx, caf::actor_cast<caf::actor>(self));
    std::optional<proxy_actor> p;
    self->receive([&](proxy_actor& a) { p = a; }, caf::after(10s) >> [] {});
    ASSERT_TRUE(p);
    self->monitor(*p);
    ASSERT_TRUE(ask<proxy_statistics>(self, *p, proxy_stats_atom::value));
    caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
    auto reason = down_of(self, p->address());
    ASSERT_TRUE(reason) << "the proxy actor outlived its owner";
  }
}

TEST(ProxyActor, ALoopEndedByTheContextIsATypedErrorTheOwnerSees) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx;
  {
    caf::scoped_actor self{system};
    auto p = proxy_actors::spawn(self.ptr(), ctx, pull_push("pa-fail"));
    self->monitor(p);
    ASSERT_TRUE(ask<proxy_statistics>(self, p, proxy_stats_atom::value));
    ctx.close(0ms);
    auto reason = down_of(self, p.address());
    ASSERT_TRUE(reason);
    EXPECT_TRUE(is_error(*reason, proxy_errc::sockets_closed)) << system.render(*reason);
  }
}

TEST(ProxyActor, ABadSpecThrowsBeforeAnythingIsSpawned) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx;
  caf::scoped_actor self{system};
  auto spec = pull_push("pa-bad");
  spec.backend.type = socket_type::pull;
  try {
    proxy_actors::spawn(self.ptr(), ctx, spec);
    ADD_FAILURE() << "no error for a PULL backend";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("nothing to forward"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace cafmq
