// A ZAP handler bound at inproc://zeromq.zap.01 in a context authenticates that context's PLAIN
// servers over tcp when neither the socket nor the context has an authenticator, as libzmq does.
// The handler is a plain RFC 27 REP loop (what a libzmq program writes), not cafmq's codec.
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

// RFC 27: request "1.0" id domain address identity mechanism credentials...; reply "1.0" id
// status text user-id metadata. Accepts alice/secret only.
class rfc27_handler {
public:
  explicit rfc27_handler(context& ctx) : rep_(ctx, socket_type::rep, test::no_linger()) {
    rep_.bind("inproc://zeromq.zap.01");
    thread_ = std::thread([this] { run(); });
  }
  ~rfc27_handler() {
    stop_ = true;
    thread_.join();
  }
  std::atomic<int> requests{0};
  std::atomic<bool> saw_plain{false};

private:
  void run() {
    while (!stop_) {
      auto m = rep_.recv(20ms);
      if (!m)
        continue;
      auto f = frames_of(*m);
      ++requests;
      bool ok = false;
      if (f.size() == 8 && f[0] == "1.0" && f[5] == "PLAIN") {
        saw_plain = true;
        ok = f[6] == "alice" && f[7] == "secret";
      }
      std::string id = f.size() > 1 ? f[1] : "";
      rep_.send(ok ? message{"1.0", id, "200", "OK", "alice", ""}
                   : message{"1.0", id, "400", "bad password", "", ""},
                budget);
    }
    rep_.close();
  }

  socket rep_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

socket_options plain_client(const std::string& user, const std::string& password) {
  auto o = test::no_linger();
  o.plain_username = user;
  o.plain_password = password;
  return o;
}

TEST(ZapInproc, HandlerAtZeromqZap01AcceptsOneUserAndRefusesAnother) {
  context ctx;
  rfc27_handler handler{ctx};
  auto so = test::no_linger();
  so.plain_server = true;
  socket server{ctx, socket_type::pull, so};
  server.bind("tcp://127.0.0.1:*");

  context client_ctx;  // the clients have no handler of their own
  socket alice{client_ctx, socket_type::push, plain_client("alice", "secret")};
  socket mallory{client_ctx, socket_type::push, plain_client("mallory", "guess")};
  auto mallory_events = mallory.monitor();
  alice.connect(server.last_endpoint());
  mallory.connect(server.last_endpoint());
  ASSERT_TRUE(alice.send(message{"from alice"}, budget));
  ASSERT_TRUE(mallory.send(message{"from mallory"}, budget));

  auto refused = test::next_event(mallory_events, event_kind::handshake_failed, budget);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;
  auto m = server.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{"from alice"});
  EXPECT_EQ(server.last_peer()->user_id(), "alice");
  EXPECT_FALSE(server.recv(100ms).has_value()) << "mallory's message got through";
  EXPECT_TRUE(handler.saw_plain);
  EXPECT_GE(handler.requests.load(), 2);
}

TEST(ZapInproc, WithoutAHandlerPlainServersStillRefuse) {
  context ctx;
  auto so = test::no_linger();
  so.plain_server = true;
  socket server{ctx, socket_type::pull, so};
  server.bind("tcp://127.0.0.1:*");
  socket alice{ctx, socket_type::push, plain_client("alice", "secret")};
  auto events = alice.monitor();
  alice.connect(server.last_endpoint());
  auto refused = test::next_event(events, event_kind::handshake_failed, budget);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;
}

} // namespace
} // namespace cafmq
