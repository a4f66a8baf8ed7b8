// socket::disconnect and socket::unbind seen from a real libzmq 4.3 peer: its monitor reports
// the connection closed (ZMQ_EVENT_DISCONNECTED), and after an unbind its redials are refused.
#include "interop/zmq_peer.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;

TEST(LibzmqEndpoints, LibzmqPeerSeesTheDisconnect) {
  zmq::context zctx;
  zmq::socket theirs{zctx, ZMQ_PULL};
  zmq::monitor watch{zctx, theirs, ZMQ_EVENT_ALL};
  theirs.bind("tcp://127.0.0.1:*");
  auto ep = theirs.last_endpoint();
  context ctx;
  socket ours{ctx, socket_type::push, test::no_linger()};
  ours.connect(ep);
  ASSERT_TRUE(ours.send(message{"hello"}, 5000ms));
  auto got = theirs.recv(5000ms);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)[0], "hello");

  ours.disconnect(ep);

  std::vector<zmq::event> seen;
  auto gone = watch.wait_for(ZMQ_EVENT_DISCONNECTED, 5000ms, &seen);
  EXPECT_TRUE(gone) << "libzmq never saw the connection close; events: " << zmq::describe(seen);
  EXPECT_FALSE(ours.send(message{"after"}, 0ms)) << "a send queued with no peer left";
  // No reconnect: libzmq accepts nothing new within 10 reconnect intervals (100 ms each).
  auto again = watch.wait_for(ZMQ_EVENT_ACCEPTED, 1000ms, &seen);
  EXPECT_FALSE(again) << "cafmq connected again after disconnect; events: " << zmq::describe(seen);
}

TEST(LibzmqEndpoints, LibzmqPeerSeesTheUnbindAndItsRedialsAreRefused) {
  context ctx;
  socket ours{ctx, socket_type::pull, test::no_linger()};
  ours.bind("tcp://127.0.0.1:*");
  auto ep = ours.last_endpoint();
  zmq::context zctx;
  zmq::socket theirs{zctx, ZMQ_PUSH};
  theirs.set(ZMQ_RECONNECT_IVL, 20);
  zmq::monitor watch{zctx, theirs, ZMQ_EVENT_ALL};
  theirs.connect(ep);
  std::vector<zmq::event> seen;
  ASSERT_TRUE(watch.wait_for(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 5000ms, &seen)) << zmq::describe(seen);

  ours.unbind(ep);

  auto gone = watch.wait_for(ZMQ_EVENT_DISCONNECTED, 5000ms, &seen);
  ASSERT_TRUE(gone) << "libzmq never saw the connection close; events: " << zmq::describe(seen);
  auto retried = watch.wait_for(ZMQ_EVENT_CONNECT_RETRIED, 5000ms, &seen);
  EXPECT_TRUE(retried) << "libzmq did not try again: " << zmq::describe(seen);
  auto reconnected = watch.wait_for(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 200ms, &seen);
  EXPECT_FALSE(reconnected) << "libzmq reconnected to an unbound endpoint: " << zmq::describe(seen);
}

} // namespace
} // namespace cafmq
