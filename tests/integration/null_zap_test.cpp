// NULL connections and ZAP (RFC 27, as libzmq 4.3): a NULL socket with a zap_domain puts each
// peer to its authenticator (mechanism "NULL", no credentials) before sending READY; a refusal
// ends the connection with handshake_failed; without a domain nobody is asked.
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"
#include "security/access_rules.hpp"
#include "security/rules_authenticator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

// Answers with a fixed verdict and records the requests.
class recording_authenticator final : public authenticator {
public:
  explicit recording_authenticator(auth_reply verdict) : verdict_(std::move(verdict)) {}
  void authenticate(const auth_request& r, std::function<void(const auth_reply&)> done) override {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      last_ = r;
    }
    ++asked;
    done(verdict_);
  }
  auth_request last() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return last_;
  }
  std::atomic<int> asked{0};

private:
  auth_reply verdict_;
  mutable std::mutex mtx_;
  auth_request last_;
};

socket_options with_domain(std::string domain, authenticator_ptr judge) {
  auto o = test::no_linger();
  o.zap_domain = std::move(domain);
  o.authenticator = std::move(judge);
  return o;
}

TEST(NullZap, ANullServerWithADomainAsksItsAuthenticatorAndTakesItsUserId) {
  auto judge = std::make_shared<recording_authenticator>(auth_reply{200, "OK", "trusted-host"});
  context ctx;
  socket pull{ctx, socket_type::pull, with_domain("global", judge)};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"allowed"}, budget));
  auto m = pull.recv(budget);
  ASSERT_TRUE(m.has_value()) << "an allowed NULL peer's message did not arrive";
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{"allowed"});
  EXPECT_EQ(judge->asked.load(), 1);
  auto r = judge->last();
  EXPECT_EQ(r.mechanism, "NULL");
  EXPECT_EQ(r.domain, "global");
  EXPECT_EQ(r.address, "127.0.0.1");
  EXPECT_TRUE(r.credentials.empty());
  EXPECT_EQ(pull.last_peer()->user_id(), "trusted-host");
}

TEST(NullZap, ARefusalByTheRulesAuthenticatorEndsTheHandshakeOnBothSides) {
  auto rules = std::make_shared<security::access_rules>();
  rules->deny_address("127.0.0.1");
  context ctx;
  socket pull{ctx, socket_type::pull,
              with_domain("global", std::make_shared<security::rules_authenticator>(rules))};
  auto server_events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  auto client_events = push.monitor();
  push.connect(pull.last_endpoint());
  std::vector<monitor_event> seen;
  auto failed = test::next_event(server_events, event_kind::handshake_failed, budget, &seen);
  ASSERT_TRUE(failed.has_value()) << test::describe(seen);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
  EXPECT_NE(failed->reason.find("NULL authentication denied (400"), std::string::npos)
    << failed->reason;
  auto refused = test::next_event(client_events, event_kind::handshake_failed, budget);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;
  push.send(message{"refused"}, 0ms);
  EXPECT_FALSE(pull.recv(200ms).has_value()) << "a refused peer's message was delivered";
}

TEST(NullZap, WithoutADomainNobodyIsAsked) {
  auto judge = std::make_shared<recording_authenticator>(auth_reply{400, "no", {}});
  context ctx;
  socket pull{ctx, socket_type::pull, with_domain("", judge)};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"unchecked"}, budget));
  ASSERT_TRUE(pull.recv(budget).has_value());
  EXPECT_EQ(judge->asked.load(), 0);
}

TEST(NullZap, ADomainWithoutAnAuthenticatorAllowsUnlessTheDomainIsEnforced) {
  context ctx;
  socket open{ctx, socket_type::pull, with_domain("global", nullptr)};
  open.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(open.last_endpoint());
  ASSERT_TRUE(push.send(message{"no handler"}, budget));
  EXPECT_TRUE(open.recv(budget).has_value()) << "libzmq lets NULL peers in without a handler";

  auto o = with_domain("global", nullptr);
  o.zap_enforce_domain = true;
  socket strict{ctx, socket_type::pull, o};
  auto events = strict.monitor();
  strict.bind("tcp://127.0.0.1:*");
  socket other{ctx, socket_type::push, test::no_linger()};
  other.connect(strict.last_endpoint());
  auto failed = test::next_event(events, event_kind::handshake_failed, budget);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
}

} // namespace
} // namespace cafmq
