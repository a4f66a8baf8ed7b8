// mdp::worker against a broker double (a raw ROUTER and the MDP codec): READY on connect, the
// REPLY's frames on the wire, malformed broker messages dropped, DISCONNECT on close, bad
// arguments refused. One thread drives both: the worker's recv() in short slices, then the
// double, so every check is ordered without locks.
#include "support/deadline.hpp"
#include "support/mdp_broker_double.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

mdp::worker_options fast() {
  mdp::worker_options o;
  o.heartbeat_interval = 250ms;  // expiry 750 ms: the double never heartbeats; no test lasts that long
  o.liveness = 3;
  o.reconnect_delay = 20ms;
  return o;
}

// The next message from the worker that is not a HEARTBEAT, driving the worker meanwhile.
std::optional<message> next_command(mdp::worker& w, test::mdp_broker_double& broker,
                                    std::chrono::milliseconds budget = 3000ms) {
  test::deadline d{budget};
  while (!d.expired()) {
    w.recv(0ms);
    if (auto m = broker.recv_raw(5ms)) {
      if (m->size() == 4 && (*m)[3].view() == "\x04")
        continue;  // [id] "" MDPW01 HEARTBEAT
      return m;
    }
  }
  return std::nullopt;
}

TEST(MdpWorkerWire, SaysReadyThenRepliesToTheClientAddressTheRequestGave) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::worker w{ctx, broker.endpoint(), "echo", fast()};
  auto ready = broker.recv_raw(3000ms);
  ASSERT_TRUE(ready) << "no READY";
  auto f = frames_of(*ready);
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(strings(f.begin() + 1, f.end()), (strings{"", "MDPW01", "\x01", "echo"}));
  message worker_address{(*ready)[0]};

  broker.send_request(worker_address, message{"client-7"}, message{"hello", "world"});
  auto req = w.recv(3000ms);
  ASSERT_TRUE(req) << "no request";
  EXPECT_EQ(frames_of(req->client), strings{"client-7"});
  EXPECT_EQ(frames_of(req->body), (strings{"hello", "world"}));
  EXPECT_TRUE(w.reply(*req, message{"HELLO", "WORLD"}));

  auto reply = next_command(w, broker);
  ASSERT_TRUE(reply) << "no REPLY";
  EXPECT_EQ(frames_of(*reply), (strings{(*ready)[0].to_string(), "", "MDPW01", "\x03", "client-7",
                                        "", "HELLO", "WORLD"}));
  EXPECT_EQ(w.stats().requests, 1u);
  EXPECT_EQ(w.stats().replies, 1u);
  EXPECT_EQ(w.stats().connects, 1u);
}

TEST(MdpWorkerWire, MalformedBrokerMessagesAreDroppedAndCountedAndServiceGoesOn) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::worker w{ctx, broker.endpoint(), "echo", fast()};
  auto ready = broker.recv_raw(3000ms);
  ASSERT_TRUE(ready);
  message worker_address{(*ready)[0]};
  broker.send_raw(worker_address, {"", "MDPW01", "\x09"});        // unknown command
  broker.send_raw(worker_address, {"", "MDPC01", "echo", "x"});   // a client's protocol
  broker.send_raw(worker_address, {"no delimiter"});
  broker.send_raw(worker_address, {"", "MDPW01", "\x02", "client-1"});  // REQUEST, no delimiter
  broker.send_request(worker_address, message{"client-2"}, message{"ok"});
  auto req = w.recv(3000ms);
  ASSERT_TRUE(req) << "the valid request after the malformed ones never came";
  EXPECT_EQ(frames_of(req->client), strings{"client-2"});
  EXPECT_EQ(w.stats().discarded, 4u);
  EXPECT_EQ(w.stats().requests, 1u);
  EXPECT_EQ(w.stats().expiries, 0u);
}

TEST(MdpWorkerWire, CloseSendsDisconnectAndLaterCallsThrow) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::worker w{ctx, broker.endpoint(), "echo", fast()};
  auto ready = broker.recv_raw(3000ms);
  ASSERT_TRUE(ready);
  w.close();
  std::optional<message> m;
  test::deadline d{3000ms};
  while (!d.expired() && (m = broker.recv_raw(100ms)) && m->size() == 4 && (*m)[3].view() == "\x04") {
  }
  ASSERT_TRUE(m) << "no DISCONNECT after close()";
  auto f = frames_of(*m);
  EXPECT_EQ(strings(f.begin() + 1, f.end()), (strings{"", "MDPW01", "\x05"}));
  w.close();  // idempotent
  try {
    w.recv(0ms);
    FAIL() << "recv after close did not throw";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::socket_closed);
  }
}

void expect_invalid(const std::function<void()>& make, const std::string& says) {
  try {
    make();
    ADD_FAILURE() << "no error; expected one saying '" << says << "'";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

TEST(MdpWorkerWire, BadArgumentsAreRefusedSayingWhatIsWrong) {
  context ctx;
  auto with = [](auto change) {
    auto o = fast();
    change(o);
    return o;
  };
  const std::string ep = "tcp://127.0.0.1:9";
  expect_invalid([&] { mdp::worker{ctx, ep, ""}; }, "service name is empty");
  expect_invalid([&] { mdp::worker(ctx, ep, "s", with([](auto& o) { o.heartbeat_interval = 0ms; })); },
                 "heartbeat_interval must be positive, not 0 ms");
  expect_invalid([&] { mdp::worker(ctx, ep, "s", with([](auto& o) { o.liveness = 0; })); },
                 "liveness must be at least 1, not 0");
  expect_invalid([&] { mdp::worker(ctx, ep, "s", with([](auto& o) { o.reconnect_delay = -1ms; })); },
                 "reconnect_delay must not be negative");
  mdp::worker w{ctx, ep, "s", fast()};
  expect_invalid([&] { w.recv(-1ms); }, "timeout must not be negative");
  expect_invalid([&] { w.reply(mdp::request{}, message{}); }, "body has no frames");
  try {
    mdp::worker bad{ctx, "tcp://nowhere", "s"};
    ADD_FAILURE() << "a bad endpoint was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint) << e.what();
  }
}

} // namespace
} // namespace cafmq
