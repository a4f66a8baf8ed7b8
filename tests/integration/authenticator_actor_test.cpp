// The authenticator actor in a real CAF actor system: configured by messages, deciding
// auth_requests, reporting rejected settings as errors; and actor_authenticator, the engine-facing
// adapter that forwards without blocking and answers 500 once the actor is gone. Every wait is a
// bounded wait for an event (a future, a receive with a timeout).
#include "unit/security/temp_dir.hpp"

#include "actors/authenticator_actor.hpp"
#include "runtime/core/error.hpp"
#include "security/curve_keys.hpp"
#include "security/zcert.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

const std::string client_public = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const std::string server_public = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
constexpr auto budget = 10s;

auth_request curve(const std::string& z85, std::string address = "10.0.0.1") {
  auto k = security::curve_key::from_z85(z85).bytes();
  auth_request r;
  r.domain = "global";
  r.address = std::move(address);
  r.mechanism = "CURVE";
  r.credentials = {std::string(k.begin(), k.end())};
  return r;
}

auth_request plain(std::string user, std::string password) {
  auth_request r;
  r.address = "10.0.0.1";
  r.mechanism = "PLAIN";
  r.credentials = {std::move(user), std::move(password)};
  return r;
}

/// One actor system per test, with the authenticator stopped before the system goes.
class AuthenticatorActor : public ::testing::Test {
protected:
  ~AuthenticatorActor() override { caf::anon_send_exit(auth, caf::exit_reason::user_shutdown); }

  /// Sends a setting and waits for its acknowledgement; the error text, or "" if accepted.
  template <class Atom, class Arg>
  std::string set(Atom atom, Arg arg) {
    std::string result = "no answer";
    caf::scoped_actor self{sys};
    self->request(auth, budget, atom, std::move(arg))
      .receive([&] { result.clear(); }, [&](caf::error& e) { result = sys.render(e); });
    return result;
  }

  auth_reply ask(const auth_request& r) {
    auth_reply out{-1, "no answer", {}};
    caf::scoped_actor self{sys};
    self->request(auth, budget, authenticate_atom::value, r)
      .receive([&](const auth_reply& rep) { out = rep; },
               [&](caf::error& e) { out.status_text = sys.render(e); });
    return out;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  authenticator_actor auth = spawn_authenticator(sys);
};

TEST_F(AuthenticatorActor, DecidesCurveRequestsFromItsAllowList) {
  EXPECT_EQ(ask(curve(client_public)).status_code, 400);
  ASSERT_EQ(set(allow_key_atom::value, client_public), "");
  auto r = ask(curve(client_public));
  EXPECT_EQ(r.status_code, 200);
  EXPECT_EQ(r.user_id, client_public);
  EXPECT_EQ(ask(curve(server_public)).status_code, 400);
  ASSERT_EQ(set(allow_any_key_atom::value, true), "");
  EXPECT_EQ(ask(curve(server_public)).status_code, 200);
}

TEST_F(AuthenticatorActor, AddressMessagesAllowAndDeny) {
  ASSERT_EQ(set(allow_any_key_atom::value, true), "");
  ASSERT_EQ(set(allow_address_atom::value, std::string{"10.0.0.1"}), "");
  ASSERT_EQ(set(deny_address_atom::value, std::string{"10.0.0.1"}), "");
  EXPECT_EQ(ask(curve(client_public, "10.0.0.1")).status_code, 400);  // denied wins
  EXPECT_EQ(ask(curve(client_public, "10.0.0.2")).status_code, 400);  // not allowed
}

TEST_F(AuthenticatorActor, PasswordFileAndCertificateDirectoryMessages) {
  test::temp_dir dir;
  ASSERT_EQ(set(password_file_atom::value, dir.write("pw", "admin=secret\n")), "");
  EXPECT_EQ(ask(plain("admin", "secret")).status_code, 200);
  EXPECT_EQ(ask(plain("admin", "guess")).status_code, 400);
  security::zcert cert;
  cert.public_key = security::curve_key::from_z85(server_public);
  auto certs = dir.file("certs");
  std::filesystem::create_directory(certs);
  security::save_zcert_public(cert, certs + "/server.cert");
  ASSERT_EQ(set(cert_dir_atom::value, certs), "");
  EXPECT_EQ(ask(curve(server_public)).status_code, 200);
}

TEST_F(AuthenticatorActor, RejectedSettingsComeBackAsErrorsAndTheActorLivesOn) {
  auto bad_key = set(allow_key_atom::value, std::string{"too short"});
  EXPECT_NE(bad_key.find("40 characters"), std::string::npos) << bad_key;
  auto missing = set(password_file_atom::value, std::string{"/nonexistent/cafmq/pw"});
  EXPECT_NE(missing.find("/nonexistent/cafmq/pw"), std::string::npos) << missing;
  auto not_dir = set(cert_dir_atom::value, std::string{"/nonexistent/cafmq/certs"});
  EXPECT_NE(not_dir.find("certificate directory"), std::string::npos) << not_dir;
  EXPECT_EQ(ask(curve(client_public)).status_code, 400);  // still answering
}

TEST_F(AuthenticatorActor, RulesSharedWithTheActorAreSeenByIt) {
  auto rules = std::make_shared<security::access_rules>();
  auto shared = spawn_authenticator(sys, rules);
  rules->allow_curve_key(server_public);
  std::promise<auth_reply> p;
  actor_authenticator adapter{shared};
  adapter.authenticate(curve(server_public), [&](const auth_reply& r) { p.set_value(r); });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(budget), std::future_status::ready);
  EXPECT_EQ(f.get().status_code, 200);
  caf::anon_send_exit(shared, caf::exit_reason::user_shutdown);
}

TEST_F(AuthenticatorActor, AdapterForwardsAndTheActorAnswersOnItsOwnThread) {
  ASSERT_EQ(set(allow_key_atom::value, client_public), "");
  actor_authenticator adapter{auth};
  std::promise<std::pair<auth_reply, std::thread::id>> p;
  adapter.authenticate(curve(client_public), [&](const auth_reply& r) {
    p.set_value({r, std::this_thread::get_id()});
  });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(budget), std::future_status::ready);
  auto [reply, thread] = f.get();
  EXPECT_EQ(reply.status_code, 200);
  EXPECT_EQ(reply.user_id, client_public);
  EXPECT_NE(thread, std::this_thread::get_id()) << "answered inline: the caller was blocked";
}

TEST_F(AuthenticatorActor, AdapterAnswers500OnceTheActorIsGone) {
  actor_authenticator adapter{auth};
  {
    caf::scoped_actor self{sys};
    self->monitor(auth);
    caf::anon_send_exit(auth, caf::exit_reason::user_shutdown);
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; }, caf::after(budget) >> [] {});
    ASSERT_TRUE(down);
  }
  std::promise<auth_reply> p;
  int calls = 0;
  adapter.authenticate(curve(client_public), [&](const auth_reply& r) {
    if (++calls == 1)
      p.set_value(r);
  });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(budget), std::future_status::ready);
  auto reply = f.get();
  EXPECT_EQ(reply.status_code, 500);
  EXPECT_NE(reply.status_text.find("gone"), std::string::npos) << reply.status_text;
  EXPECT_EQ(calls, 1);
  EXPECT_THROW(actor_authenticator{authenticator_actor{}}, cafmq::error);
}

TEST(AuthCallback, CallsItsFunctionExactlyOnceAcrossCopies) {
  std::vector<int> codes;
  {
    auth_callback cb{[&](const auth_reply& r) { codes.push_back(r.status_code); }};
    auto copy = cb;
    copy({200, "OK", "u"});
    cb({400, "late", ""});
  }
  EXPECT_EQ(codes, std::vector<int>{200});
  {
    auth_callback dropped{[&](const auth_reply& r) { codes.push_back(r.status_code); }};
  }
  EXPECT_EQ(codes, (std::vector<int>{200, 500}));
}

} // namespace
} // namespace cafmq
