// NULL + ZAP against libzmq peers: a libzmq 4.3 NULL client reaches a cafmq NULL server whose
// zap_domain puts it to the authenticator, and is refused (ERROR "400", libzmq's
// HANDSHAKE_FAILED_AUTH) when the authenticator says no; a cafmq NULL client is put to a
// libzmq server's ZAP handler (a pyzmq one over inproc://zeromq.zap.01) the same way.
#include "interop/zmq_peer.hpp"
#include "support/child_process.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;

constexpr auto budget = 5000ms;

// A fixed verdict; counts the NULL requests it got.
class verdict_authenticator final : public authenticator {
public:
  explicit verdict_authenticator(int code) : code_(code) {}
  void authenticate(const auth_request& r, std::function<void(const auth_reply&)> done) override {
    if (r.mechanism == "NULL" && r.credentials.empty() && r.domain == "interop")
      ++null_requests;
    done({code_, code_ == 200 ? "OK" : "denied", {}});
  }
  std::atomic<int> null_requests{0};

private:
  int code_;
};

socket_options null_server(authenticator_ptr judge) {
  auto o = test::no_linger();
  o.zap_domain = "interop";
  o.authenticator = std::move(judge);
  return o;
}

TEST(NullZapLibzmq, AnAllowedLibzmqClientIsAskedAboutAndDelivers) {
  auto judge = std::make_shared<verdict_authenticator>(200);
  context ctx;
  socket pull{ctx, socket_type::pull, null_server(judge)};
  pull.bind("tcp://127.0.0.1:*");
  zmq::context zctx;
  zmq::socket push{zctx, ZMQ_PUSH};
  push.set(ZMQ_SNDTIMEO, 5000);
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send({"from libzmq"}));
  auto m = pull.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"from libzmq"});
  EXPECT_EQ(judge->null_requests.load(), 1);
}

TEST(NullZapLibzmq, ARefusedLibzmqClientSeesAnAuthFailure) {
  auto judge = std::make_shared<verdict_authenticator>(400);
  context ctx;
  socket pull{ctx, socket_type::pull, null_server(judge)};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  zmq::context zctx;
  zmq::socket push{zctx, ZMQ_PUSH};
  zmq::monitor mon{zctx, push, ZMQ_EVENT_ALL};
  push.connect(pull.last_endpoint());
  std::vector<zmq::event> seen;
  auto failed = mon.wait_for(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, budget, &seen);
  ASSERT_TRUE(failed.has_value()) << zmq::describe(seen);
  EXPECT_EQ(failed->value, 400u);
  auto server = test::next_event(events, event_kind::handshake_failed, budget);
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->reason_code, event_reason::auth) << server->reason;
  EXPECT_GE(judge->null_requests.load(), 1);
}

// A libzmq PULL server on 127.0.0.1:argv[1] with a ZAP domain and a handler on libzmq's inproc
// address that refuses everyone; prints what it was asked.
const std::string pyzmq_refusing_server = R"PY(
import sys, zmq
ctx = zmq.Context()
zap = ctx.socket(zmq.REP)
zap.bind("inproc://zeromq.zap.01")
s = ctx.socket(zmq.PULL)
s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.ZAP_DOMAIN, b"interop")
s.bind("tcp://127.0.0.1:" + sys.argv[1])
if not zap.poll(20000):
    print("never asked", flush=True)
    sys.exit(1)
req = zap.recv_multipart()
zap.send_multipart([b"1.0", req[1], b"400", b"denied", b"", b""])
print("asked " + req[5].decode() + " " + req[2].decode(), flush=True)
zap.close(0)
s.close(0)
ctx.term()
)PY";

TEST(NullZapLibzmq, ACafmqClientOfALibzmqServerWithAZapHandlerIsRefusedWithAuth) {
  auto port = test::free_tcp_port();
  test::child_process server{{CAFMQ_PYTHON, "-c", pyzmq_refusing_server, std::to_string(port)}};
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 20;  // until the server has bound
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  push.connect(test::local_endpoint(port));
  std::vector<monitor_event> seen;
  auto failed = test::next_event(events, event_kind::handshake_failed, 20000ms, &seen);
  ASSERT_TRUE(failed.has_value()) << test::describe(seen);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
  auto r = server.wait(30000ms);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "asked NULL interop\n") << r.err;
}

}  // namespace
}  // namespace cafmq
