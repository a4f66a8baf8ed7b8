// Authenticators run on the context's auth executor, never on the I/O thread, and the handshake
// deadline bounds the wait for their verdict: one that never answers fails only its own client
// (code timeout, ERROR "500" to the client) while another client of the same server is admitted;
// one that blocks does not delay other sockets' traffic; one that throws refuses its client with
// 500 at once (`internal` on the server, `auth` on the client) and the server carries on.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 5000ms;
constexpr int handshake_ivl_ms = 2000;  // room for the admitted client's handshake under sanitizers

// Admits admin/secret; for user "stuck" never answers; for "bomb" throws; for "slow" blocks
// until released (at most `block_for`), as a slow user callback would.
class scripted_authenticator final : public authenticator {
public:
  void authenticate(const auth_request& r, std::function<void(const auth_reply&)> done) override {
    const std::string& user = r.credentials.at(0);
    if (user == "stuck")
      return;  // `done` is dropped: no verdict, ever
    if (user == "bomb")
      throw std::runtime_error("authenticator exploded");
    if (user == "slow") {
      std::unique_lock<std::mutex> lock{mtx_};
      blocking_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, block_for, [this] { return released_; });
      blocking_ = false;
    }
    done({200, "OK", user});
  }
  // Waits until a "slow" request blocks the executor.
  bool wait_blocking(std::chrono::milliseconds within) {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_for(lock, within, [this] { return blocking_; });
  }
  bool blocking() {
    std::lock_guard<std::mutex> guard{mtx_};
    return blocking_;
  }
  void release() {
    std::lock_guard<std::mutex> guard{mtx_};
    released_ = true;
    cv_.notify_all();
  }

  std::chrono::milliseconds block_for{5000};  // released earlier by the test, normally

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool blocking_ = false;
  bool released_ = false;
};

socket_options server_options(const std::shared_ptr<authenticator>& judge) {
  auto o = test::no_linger();
  o.plain_server = true;
  o.authenticator = judge;
  o.handshake_ivl_ms = handshake_ivl_ms;
  return o;
}

socket_options client_options(const std::string& user) {
  auto o = test::no_linger();
  o.plain_username = user;
  o.plain_password = "secret";
  return o;
}

void expect_flow(socket& from, socket& to, const std::string& tag) {
  ASSERT_TRUE(from.send(message{tag}, budget)) << tag;
  auto m = to.recv(budget);
  ASSERT_TRUE(m.has_value()) << tag << " did not arrive";
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{tag});
}

TEST(AsyncAuthentication, AnAuthenticatorThatNeverAnswersFailsOnlyItsClientAtTheDeadline) {
  auto judge = std::make_shared<scripted_authenticator>();
  context ctx;
  socket server{ctx, socket_type::pull, server_options(judge)};
  auto server_events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket stuck{ctx, socket_type::push, client_options("stuck")};
  auto stuck_events = stuck.monitor();
  socket admin{ctx, socket_type::push, client_options("admin")};
  auto started = std::chrono::steady_clock::now();
  stuck.connect(server.last_endpoint());
  admin.connect(server.last_endpoint());
  expect_flow(admin, server, "admitted meanwhile");

  std::vector<monitor_event> seen;
  auto failed = test::next_event(server_events, event_kind::handshake_failed, 4 * budget, &seen);
  ASSERT_TRUE(failed) << test::describe(seen);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(failed->reason_code, event_reason::timeout) << failed->reason;
  EXPECT_NE(failed->reason.find("authenticator did not answer within " + std::to_string(handshake_ivl_ms) + " ms"),
            std::string::npos)
    << failed->reason;
  EXPECT_LT(waited, std::chrono::milliseconds{handshake_ivl_ms * 4}) << "the deadline was not kept";
  // The client hears the ERROR a failed ZAP handler stands for (RFC 27): 500.
  std::vector<monitor_event> client_seen;
  auto refused = test::next_event(stuck_events, event_kind::handshake_failed, budget, &client_seen);
  ASSERT_TRUE(refused) << test::describe(client_seen);
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;
  EXPECT_NE(refused->reason.find("\"500\""), std::string::npos) << refused->reason;
  expect_flow(admin, server, "still admitted");
}

TEST(AsyncAuthentication, ABlockedAuthenticatorDoesNotDelayOtherSocketsTraffic) {
  auto judge = std::make_shared<scripted_authenticator>();
  context ctx;
  auto o = server_options(judge);
  o.handshake_ivl_ms = 10000;  // the slow verdict is still in time
  socket server{ctx, socket_type::pull, o};
  server.bind("tcp://127.0.0.1:*");
  socket slow{ctx, socket_type::push, client_options("slow")};
  slow.connect(server.last_endpoint());
  ASSERT_TRUE(judge->wait_blocking(budget)) << "the authenticator was never asked";

  // A NULL pair on the same context (the same I/O thread) exchanges messages meanwhile.
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(pull.last_endpoint());
  constexpr uint64_t count = 200;
  for (uint64_t seq = 0; seq < count; ++seq)
    ASSERT_TRUE(push.send(test::sequenced(seq), budget));
  for (uint64_t seq = 0; seq < count; ++seq) {
    auto m = pull.recv(budget);
    ASSERT_TRUE(m.has_value()) << "message " << seq << " did not arrive";
    EXPECT_EQ(test::sequence_of(*m), seq);
  }
  EXPECT_TRUE(judge->blocking()) << "the traffic waited for the authenticator";

  judge->release();
  expect_flow(slow, server, "admitted after the block");
}

TEST(AsyncAuthentication, AnAuthenticatorThatThrowsRefusesItsClientAndTheServerCarriesOn) {
  auto judge = std::make_shared<scripted_authenticator>();
  context ctx;
  socket server{ctx, socket_type::pull, server_options(judge)};
  auto server_events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket bomb{ctx, socket_type::push, client_options("bomb")};
  auto bomb_events = bomb.monitor();
  bomb.connect(server.last_endpoint());

  std::vector<monitor_event> seen;
  auto failed = test::next_event(server_events, event_kind::handshake_failed, budget, &seen);
  ASSERT_TRUE(failed) << test::describe(seen);
  EXPECT_EQ(failed->reason_code, event_reason::internal) << "a fault, not a refusal: " << failed->reason;
  EXPECT_NE(failed->reason.find("authenticator exploded"), std::string::npos) << failed->reason;
  std::vector<monitor_event> client_seen;
  auto refused = test::next_event(bomb_events, event_kind::handshake_failed, budget, &client_seen);
  ASSERT_TRUE(refused) << test::describe(client_seen);
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;

  socket admin{ctx, socket_type::push, client_options("admin")};
  admin.connect(server.last_endpoint());
  expect_flow(admin, server, "the server carries on");
}

} // namespace
} // namespace cafmq
