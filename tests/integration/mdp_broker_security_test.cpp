// The Majordomo broker's ROUTER takes socket_options: a CURVE server broker serves CURVE clients
// and workers and refuses plain ones; its monitor events are the ROUTER's.
#include "integration/mdp_broker_peers.hpp"
#include "support/curve_test_keys.hpp"

namespace cafmq {
namespace {

using namespace test::mdp_peers;

socket_options curve_client() {
  auto o = test::no_linger();
  o.curve_serverkey = test::server_public;
  o.curve_publickey = test::client_public;
  o.curve_secretkey = test::client_secret;
  return o;
}

TEST(MdpBrokerSecurity, CurveBrokerServesCurvePeersOnly) {
  auto o = quick();
  o.socket.curve_server = true;
  o.socket.curve_secretkey = test::server_secret;
  bound_broker b{o};
  auto events = b.broker.monitor();
  socket worker{b.ctx, socket_type::dealer, curve_client()};
  worker.connect(b.endpoint);
  ASSERT_TRUE(worker.send(mdpc::worker_ready("secure"), 2000ms));
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.workers; }, 1));
  socket client{b.ctx, socket_type::dealer, curve_client()};
  client.connect(b.endpoint);
  ASSERT_TRUE(client.send(mdpc::client_request("secure", message{"secret"}, true), 2000ms));
  auto req = worker.recv(3000ms);
  ASSERT_TRUE(req);
  mdpc::worker_message w;
  ASSERT_EQ(mdpc::parse_worker_inbound(*req, w), mdpc::fault::none);
  ASSERT_EQ(w.cmd, mdpc::command::request);
  ASSERT_TRUE(worker.send(mdpc::worker_reply(w.client, message{"sealed"}), 2000ms));
  auto reply = client.recv(3000ms);
  ASSERT_TRUE(reply);
  mdpc::client_message c;
  ASSERT_EQ(mdpc::parse_client_reply(*reply, true, c), mdpc::fault::none);
  EXPECT_EQ(c.body[0].to_string(), "sealed");
  // A NULL client never gets through the handshake: its request never reaches the broker.
  raw_client plain{b.ctx, b.endpoint};
  // Queued, or refused for want of a peer once the failed handshake left none (the connector
  // does not retry a mechanism mismatch): either way nothing reaches the broker.
  static_cast<void>(plain.sock.send(mdpc::client_request("secure", message{"in clear"}, true), 300ms));
  EXPECT_FALSE(plain.reply(300ms));
  EXPECT_EQ(b.broker.stats().requests_received, 1u);
  // The ROUTER's events: two CURVE handshakes succeeded, one failed.
  int succeeded = 0;
  int failed = 0;
  test::deadline d{3000ms};
  while ((succeeded < 2 || failed < 1) && !d.expired()) {
    auto e = events.next(d.remaining());
    if (!e)
      break;
    succeeded += e->kind == event_kind::handshake_succeeded ? 1 : 0;
    failed += e->kind == event_kind::handshake_failed ? 1 : 0;
  }
  EXPECT_EQ(succeeded, 2);
  EXPECT_GE(failed, 1);
}

} // namespace
} // namespace cafmq
