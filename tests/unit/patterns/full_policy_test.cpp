// Full-queue policies per socket type (docs/reliability.md "Backpressure"): the defaults are
// libzmq's, the choices a type allows, clear errors for the rest, and the per-peer and per-cause
// drop counters, on in-memory pipes.
#include "patterns/pipe_peer.hpp"

#include "patterns/full_policy.hpp"
#include "patterns/pattern_factory.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace cafmq;
using namespace cafmq::patterns;
using namespace cafmq::test;

namespace {

socket_options with_policy(full_policy p) {
  socket_options o;
  o.full_policy = p;
  return o;
}

// The error a call throws, with its text in `what`.
errc code_of(const std::function<void()>& f, std::string* what = nullptr) {
  try {
    f();
  } catch (const error& e) {
    if (what)
      *what = e.what();
    return e.code();
  }
  ADD_FAILURE() << "no cafmq::error thrown";
  return errc::internal;
}

constexpr socket_type all_types[] = {
  socket_type::pair, socket_type::pub, socket_type::sub, socket_type::req,
  socket_type::rep, socket_type::dealer, socket_type::router, socket_type::pull,
  socket_type::push, socket_type::xpub, socket_type::xsub, socket_type::stream};

} // namespace

TEST(FullPolicy, DefaultsAreLibzmqsMuteStateActions) {
  for (auto t : all_types) {
    bool drops = t == socket_type::pub || t == socket_type::xpub || t == socket_type::router;
    EXPECT_EQ(resolve_full_policy(t, {}), drops ? full_policy::drop_newest : full_policy::block)
      << zmtp_name(t);
  }
}

TEST(FullPolicy, NodropAndMandatoryMeanBlock) {
  socket_options o;
  o.xpub_nodrop = true;
  EXPECT_EQ(resolve_full_policy(socket_type::xpub, o), full_policy::block);
  o = {};
  o.router_mandatory = true;
  EXPECT_EQ(resolve_full_policy(socket_type::router, o), full_policy::block);
}

TEST(FullPolicy, DropOldestIsAChoiceOfTheTypesThatMayDropTheNewest) {
  for (auto t : all_types) {
    bool may_drop = false;
    try {
      resolve_full_policy(t, with_policy(full_policy::drop_newest));
      may_drop = true;
    } catch (const error&) {
    }
    if (may_drop)
      EXPECT_EQ(resolve_full_policy(t, with_policy(full_policy::drop_oldest)), full_policy::drop_oldest)
        << zmtp_name(t);
    else
      EXPECT_EQ(code_of([&] { resolve_full_policy(t, with_policy(full_policy::drop_oldest)); }),
                errc::invalid_argument)
        << zmtp_name(t);
  }
}

TEST(FullPolicy, TypesWithoutAChoiceAcceptOnlyAutomatic) {
  for (auto t : {socket_type::pull, socket_type::sub, socket_type::xsub, socket_type::rep}) {
    for (auto p : {full_policy::block, full_policy::drop_newest, full_policy::error}) {
      std::string what;
      EXPECT_EQ(code_of([&] { resolve_full_policy(t, with_policy(p)); }, &what), errc::invalid_argument);
      EXPECT_NE(what.find(zmtp_name(t)), std::string::npos) << what;
    }
  }
}

TEST(FullPolicy, ContradictionsAndUnsafeDropsAreRefused) {
  EXPECT_EQ(code_of([] { resolve_full_policy(socket_type::req, with_policy(full_policy::drop_newest)); }),
            errc::invalid_argument);
  EXPECT_EQ(code_of([] { resolve_full_policy(socket_type::stream, with_policy(full_policy::drop_newest)); }),
            errc::invalid_argument);
  auto o = with_policy(full_policy::drop_newest);
  o.xpub_nodrop = true;
  EXPECT_EQ(code_of([&] { resolve_full_policy(socket_type::xpub, o); }), errc::invalid_argument);
  o = with_policy(full_policy::drop_newest);
  o.router_mandatory = true;
  EXPECT_EQ(code_of([&] { resolve_full_policy(socket_type::router, o); }), errc::invalid_argument);
  EXPECT_EQ(code_of([] { make_pattern(socket_type::pull, with_policy(full_policy::error)); }),
            errc::invalid_argument)
    << "make_pattern validates too";
}

TEST(FullPolicy, ChoicesTheTypesAllow) {
  for (auto t : {socket_type::push, socket_type::dealer, socket_type::pair, socket_type::pub,
                 socket_type::xpub, socket_type::router}) {
    for (auto p : {full_policy::block, full_policy::drop_newest, full_policy::error})
      EXPECT_EQ(resolve_full_policy(t, with_policy(p)), p) << zmtp_name(t) << " " << to_string(p);
  }
  EXPECT_EQ(resolve_full_policy(socket_type::req, with_policy(full_policy::error)), full_policy::error);
  EXPECT_EQ(resolve_full_policy(socket_type::stream, with_policy(full_policy::block)), full_policy::block);
}

TEST(FullPolicyPub, DefaultDropsForTheFullSubscriberOnlyAndCountsPerPeer) {
  auto pub = make_pattern(socket_type::pub, {});
  auto slow = make_hwm_pipe(2), fast = make_hwm_pipe(100);
  pub->attach(slow);
  pub->attach(fast);
  peer_subscribes(slow, "");
  peer_subscribes(fast, "");
  pub->subscribers();
  for (int i = 0; i < 5; ++i) {
    message m{"tick"};
    ASSERT_EQ(pub->try_send(m), send_result::sent);
  }
  EXPECT_EQ(peer_got(fast).size(), 5u);
  EXPECT_EQ(peer_got(slow).size(), 2u);
  EXPECT_EQ(slow->dropped, 3u);
  EXPECT_EQ(fast->dropped, 0u);
  EXPECT_EQ(pub->drops().hwm, 3u);
  EXPECT_EQ(pub->drops().unroutable, 0u);
}

TEST(FullPolicyPub, BlockAndErrorRefuseTheWholeMessageWhileAMatchingQueueIsFull) {
  for (auto p : {full_policy::block, full_policy::error}) {
    auto pub = make_pattern(socket_type::pub, with_policy(p));
    auto slow = make_hwm_pipe(1), fast = make_hwm_pipe(100);
    pub->attach(slow);
    pub->attach(fast);
    peer_subscribes(slow, "");
    peer_subscribes(fast, "");
    pub->subscribers();
    message m{"1"};
    ASSERT_EQ(pub->try_send(m), send_result::sent);
    m = message{"2"};
    EXPECT_EQ(pub->try_send(m), send_result::would_block) << to_string(p);
    EXPECT_EQ(m[0].to_string(), "2") << "kept for the retry";
    EXPECT_EQ(peer_got(fast).size(), 1u) << "nobody got a part of a refused send";
    EXPECT_EQ(pub->dropped(), 0u);
  }
}

TEST(FullPolicyRouter, BlockWaitsForTheFullPeerUnknownIdsStillDropAsUnroutable) {
  auto router = make_pattern(socket_type::router, with_policy(full_policy::block));
  auto a = make_pipe("a", 1);
  router->attach(a);
  message m = msg({"a", "1"});
  ASSERT_EQ(router->try_send(m), send_result::sent);
  m = msg({"a", "2"});
  EXPECT_EQ(router->try_send(m), send_result::would_block);
  EXPECT_TRUE(router->prepare_wait_send());
  m = msg({"nobody", "x"});
  EXPECT_EQ(router->try_send(m), send_result::sent);
  EXPECT_EQ(router->drops().unroutable, 1u);
  EXPECT_EQ(router->drops().hwm, 0u);
  EXPECT_EQ(a->dropped, 0u);
}

TEST(FullPolicyRouter, DefaultCountsFullDropsPerPeerAndShowsGeneratedIds) {
  auto router = make_pattern(socket_type::router, {});
  auto a = make_pipe("", 1);  // no identity: the ROUTER generates one
  router->attach(a);
  auto id = router->peer_id(*a);
  ASSERT_EQ(id.size(), 5u);
  EXPECT_EQ(id[0], '\0');
  for (int i = 0; i < 3; ++i) {
    message m;
    m.add(frame{id});
    m.add(frame{"x"});
    ASSERT_EQ(router->try_send(m), send_result::sent);
  }
  EXPECT_EQ(a->dropped, 2u);
  EXPECT_EQ(router->drops().hwm, 2u);
}

TEST(FullPolicyRep, RepliesToAGonePeerAreUnroutableToAFullOneHwmDrops) {
  auto rep = make_pattern(socket_type::rep, {});
  auto gone = make_pipe({}, 1);
  rep->attach(gone);
  ASSERT_TRUE(peer_send(gone, msg({"", "q"})));
  message out;
  ASSERT_TRUE(rep->try_recv(out));
  gone->detach();
  message reply{"r"};
  ASSERT_EQ(rep->try_send(reply), send_result::sent);
  EXPECT_EQ(rep->drops().unroutable, 1u);

  auto full = make_pipe({}, 1);
  rep->attach(full);
  message filler{"filler"};
  ASSERT_TRUE(full->outbound().try_push(filler));
  full->outbound().flush();
  ASSERT_TRUE(peer_send(full, msg({"", "q"})));
  ASSERT_TRUE(rep->try_recv(out));
  reply = message{"r"};
  ASSERT_EQ(rep->try_send(reply), send_result::sent);
  EXPECT_EQ(rep->drops().hwm, 1u);
  EXPECT_EQ(full->dropped, 1u);
  EXPECT_EQ(rep->dropped(), 2u);
}

TEST(FullPolicyXsub, DataDroppedForAFullPublisherIsCountedForThatPeer) {
  auto xsub = make_pattern(socket_type::xsub, {});
  auto a = make_hwm_pipe(1), b = make_hwm_pipe(100);
  xsub->attach(a);
  xsub->attach(b);
  for (int i = 0; i < 3; ++i) {
    message m{"data"};
    ASSERT_EQ(xsub->try_send(m), send_result::sent);
  }
  EXPECT_EQ(a->dropped, 2u);
  EXPECT_EQ(b->dropped, 0u);
  EXPECT_EQ(xsub->drops().hwm, 2u);
}
