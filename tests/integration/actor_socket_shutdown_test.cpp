// Shutting the actor face down with operations in flight (runtime/actor_socket.hpp): the owner's
// death closes the socket and ends its actor (a monitor sees it, a waiting request fails), a
// destroyed context ends it with `closed`, and an actor system with socket actors shuts down.
// Every wait has a deadline.
#include "support/actor_face.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// An actor that opens a DEALER towards a peer that never comes, leaves a request waiting on
// it, and reports the socket's handle to `report`.
caf::behavior owner_of(caf::event_based_actor* self, context* ctx, caf::actor report) {
  auto sock = actor_socket::spawn(self, *ctx, socket_type::dealer, test::no_linger());
  self->request(sock, std::chrono::seconds(10), caf::connect_atom::value,
                test::local_endpoint(test::free_tcp_port()))
    .then(
      [=](caf::ok_atom) {
        self->request(sock, std::chrono::seconds(30), request_atom::value, message{"q"},
                      caf::timespan{20s}, 1)
          .then([](const message&) {}, [](caf::error&) {});
        self->send(report, sock);
      },
      [=](caf::error& e) { self->quit(e); });
  return {[](int) {}};
}

std::optional<socket_actor> socket_of(caf::scoped_actor& self) {
  std::optional<socket_actor> out;
  self->receive([&](socket_actor& s) { out = s; }, caf::after(std::chrono::seconds(10)) >> [] {});
  return out;
}

// The down_msg of `who`, or nullopt after 10 s.
std::optional<caf::error> down_of(caf::scoped_actor& self, const socket_actor& who) {
  std::optional<caf::error> out;
  test::deadline d{10000ms};
  while (!out && !d.expired())
    self->receive(
      [&](caf::down_msg& dm) {
        if (dm.source == who.address())
          out = dm.reason;
      },
      caf::after(d.remaining()) >> [] {});
  return out;
}

TEST(ActorSocketShutdown, OwnerDeathClosesTheSocketAndEndsItsActor) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  caf::scoped_actor self{system};
  auto owner = system.spawn(owner_of, &ctx, caf::actor_cast<caf::actor>(self));
  auto sock = socket_of(self);
  ASSERT_TRUE(sock) << "the owner did not report its socket";
  self->monitor(*sock);
  auto waiting = self->request(*sock, std::chrono::seconds(20), request_atom::value,
                               message{"pending"}, caf::timespan{15s}, 1);
  auto t0 = test::clock::now();
  caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  bool failed = false;
  waiting.receive([](const message&) {}, [&](caf::error&) { failed = true; });
  EXPECT_TRUE(failed) << "a waiting request outlived the socket";
  auto reason = down_of(self, *sock);
  ASSERT_TRUE(reason) << "the socket actor did not end when its owner did";
  EXPECT_FALSE(*reason) << "a normal exit: " << actor_error_text(*reason);
  EXPECT_LT(test::elapsed_ms(t0), 5000);
}

TEST(ActorSocketShutdown, ContextDestructionEndsTheActorWithClosed) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  std::optional<context> ctx{std::in_place, system};
  caf::scoped_actor self{system};
  auto sock = actor_socket::spawn(self.ptr(), *ctx, socket_type::dealer, test::no_linger());
  ASSERT_TRUE(test::ask<caf::ok_atom>(self, sock, caf::connect_atom::value,
                                      test::local_endpoint(test::free_tcp_port())));
  self->monitor(sock);
  auto pending = self->request(sock, std::chrono::seconds(20), request_atom::value, message{"q"},
                               caf::timespan{15s}, 1);
  auto t0 = test::clock::now();
  ctx.reset();
  std::string why;
  pending.receive([](const message&) {}, [&](caf::error& e) { why = actor_error_text(e); });
  EXPECT_EQ(why.rfind("closed", 0), 0u) << "the pending request: [" << why << "]";
  auto reason = down_of(self, sock);
  ASSERT_TRUE(reason) << "the socket actor outlived its context";
  EXPECT_TRUE(is_error(*reason, actor_errc::closed)) << actor_error_text(*reason);
  EXPECT_LT(test::elapsed_ms(t0), 5000);
}

TEST(ActorSocketShutdown, AContextDestroyedRightAfterSpawnEndsTheActorWithClosed) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  caf::scoped_actor self{system};
  socket_actor sock;
  {
    context ctx{system};
    sock = actor_socket::spawn(self.ptr(), ctx, socket_type::dealer, test::no_linger());
    self->monitor(sock);
  }  // destroyed before the actor may have run: it holds the control plane, not the context
  auto reason = down_of(self, sock);
  ASSERT_TRUE(reason) << "the socket actor outlived its context";
  EXPECT_TRUE(is_error(*reason, actor_errc::closed)) << actor_error_text(*reason);
}

TEST(ActorSocketShutdown, AnActorSystemWithSocketActorsShutsDown) {
  auto t0 = test::clock::now();
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
    context ctx{system};
    caf::actor owner;
    {
      caf::scoped_actor self{system};
      owner = system.spawn(owner_of, &ctx, caf::actor_cast<caf::actor>(self));
      ASSERT_TRUE(socket_of(self));
    }
    caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  }  // ~context, then ~actor_system: returns once the socket actor is gone as well
  EXPECT_LT(test::elapsed_ms(t0), 10000);
}

// Links to `sock` and says so (ok_atom to `report`); does not trap exits, so it ends with `sock`.
caf::behavior linked_to(caf::event_based_actor* self, socket_actor sock, caf::actor report) {
  self->link_to(sock);
  self->send(report, caf::ok_atom::value);
  return {[](int) {}};
}

TEST(ActorSocketShutdown, AKilledSocketActorFailsWhatWaitsAndTakesItsLinksAlong) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  caf::scoped_actor self{system};
  auto sock = actor_socket::spawn(self.ptr(), ctx, socket_type::dealer, test::no_linger());
  ASSERT_TRUE(test::ask<caf::ok_atom>(self, sock, caf::connect_atom::value,
                                      test::local_endpoint(test::free_tcp_port())));
  auto partner = system.spawn(linked_to, sock, caf::actor_cast<caf::actor>(self));
  self->monitor(partner);
  bool linked = false;
  self->receive([&](caf::ok_atom) { linked = true; }, caf::after(std::chrono::seconds(10)) >> [] {});
  ASSERT_TRUE(linked);
  auto pending = self->request(sock, std::chrono::seconds(20), request_atom::value, message{"q"},
                               caf::timespan{15s}, 1);
  auto t0 = test::clock::now();
  caf::anon_send_exit(sock, caf::exit_reason::user_shutdown);
  std::string why;
  pending.receive([](const message&) {}, [&](caf::error& e) { why = actor_error_text(e); });
  EXPECT_EQ(why.rfind("closed", 0), 0u) << "the waiting request: " << why;
  std::optional<caf::error> partner_end;
  self->receive(
    [&](caf::down_msg& dm) {
      if (dm.source == partner.address())
        partner_end = dm.reason;
    },
    caf::after(std::chrono::seconds(10)) >> [] {});
  ASSERT_TRUE(partner_end) << "the linked actor outlived the socket actor";
  EXPECT_EQ(*partner_end, caf::exit_reason::user_shutdown) << actor_error_text(*partner_end);
  EXPECT_LT(test::elapsed_ms(t0), 5000);
}

TEST(ActorSocketShutdown, CloseAnswersAndEndsTheActor) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx{system};
  caf::scoped_actor self{system};
  auto sock = actor_socket::spawn(self.ptr(), ctx, socket_type::pull, test::no_linger());
  self->monitor(sock);
  auto discarded = test::ask<uint64_t>(self, sock, caf::close_atom::value);
  ASSERT_TRUE(discarded) << actor_error_text(discarded.error());
  EXPECT_EQ(*discarded, 0u);
  ASSERT_TRUE(down_of(self, sock));
}

TEST(ActorSocketShutdown, BadOptionsAreRefusedAtSpawn) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx{system};
  caf::scoped_actor self{system};
  socket_options bad;
  bad.linger_ms = -7;
  EXPECT_THROW(actor_socket::spawn(self.ptr(), ctx, socket_type::pull, bad), error);
  actor_socket_options no_batches;
  no_batches.batch_max = 0;
  EXPECT_THROW(actor_socket::spawn(self.ptr(), ctx, socket_type::pull, {}, no_batches), error);
}

} // namespace
} // namespace cafmq
