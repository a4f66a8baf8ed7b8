// STREAM (libzmq ZMQ_STREAM) with raw TCP peers: connect and disconnect notifications carrying
// the routing id, bytes both ways with no framing, two connections told apart, closing one by
// sending [id, ""], and a STREAM that connects to a plain TCP server speaking HTTP-like text.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 5000ms;

std::string as_string(const test::bytes& b) {
  return std::string(b.begin(), b.end());
}

// The next [routing id, data] message; fails the test (empty id) on timeout or a bad shape.
std::pair<std::string, std::string> next(socket& s, std::chrono::milliseconds timeout = budget) {
  auto m = s.recv(timeout);
  EXPECT_TRUE(m.has_value()) << "no STREAM message within " << timeout.count() << " ms";
  if (!m)
    return {};
  EXPECT_EQ(m->size(), 2u);
  if (m->size() != 2)
    return {};
  return {(*m)[0].to_string(), (*m)[1].to_string()};
}

// TCP may split or merge writes: gathers `n` bytes of data from connection `id`.
std::string read_bytes(socket& s, const std::string& id, size_t n) {
  std::string got;
  test::deadline d{budget};
  while (got.size() < n && !d.expired()) {
    auto [from, data] = next(s, d.remaining());
    if (from.empty())
      break;
    EXPECT_EQ(from, id) << "data from another connection";
    EXPECT_FALSE(data.empty()) << "the connection closed after " << got.size() << " bytes";
    if (data.empty())
      break;
    got += data;
  }
  return got;
}

struct bound_stream {
  context ctx;
  socket s{ctx, socket_type::stream, test::no_linger()};
  bound_stream() { s.bind("tcp://127.0.0.1:*"); }
  // A raw client connects; returns it with the routing id its connect notification carried.
  std::pair<test::raw_client, std::string> accept_client() {
    auto c = test::raw_client::connect(s.last_endpoint(), budget);
    auto [id, data] = next(s);
    EXPECT_TRUE(data.empty()) << "the first message of a connection is the connect notification";
    return {std::move(c), id};
  }
};

TEST(Stream, AConnectionIsNotifiedWithAGeneratedRoutingId) {
  bound_stream b;
  auto [client, id] = b.accept_client();
  ASSERT_EQ(id.size(), 5u);
  EXPECT_EQ(id[0], '\0') << "generated routing ids start with a zero byte, as libzmq's";
}

TEST(Stream, BytesFlowRawBothWays) {
  bound_stream b;
  auto [client, id] = b.accept_client();
  ASSERT_TRUE(client.send_all(std::string("hello, no ZMTP here\n")));
  EXPECT_EQ(read_bytes(b.s, id, 20), "hello, no ZMTP here\n");
  std::string big = test::patterned(300 * 1024, 3);
  ASSERT_TRUE(b.s.send(message{id, "short reply;"}, budget));
  ASSERT_TRUE(b.s.send(message{id, big}, budget));
  auto r = client.read_exact(12 + big.size(), budget);
  ASSERT_EQ(r.status, test::read_status::ok);
  EXPECT_EQ(as_string(r.data), "short reply;" + big) << "the bytes must arrive unframed, in order";
  ASSERT_TRUE(client.send_all(big));
  EXPECT_EQ(read_bytes(b.s, id, big.size()), big);
}

TEST(Stream, TwoConnectionsAreToldApartByRoutingId) {
  bound_stream b;
  auto [one, id1] = b.accept_client();
  auto [two, id2] = b.accept_client();
  ASSERT_NE(id1, id2);
  ASSERT_TRUE(two.send_all(std::string("from two")));
  EXPECT_EQ(read_bytes(b.s, id2, 8), "from two");
  ASSERT_TRUE(one.send_all(std::string("from one")));
  EXPECT_EQ(read_bytes(b.s, id1, 8), "from one");
  ASSERT_TRUE(b.s.send(message{id2, "to two"}, budget));
  ASSERT_TRUE(b.s.send(message{id1, "to one"}, budget));
  auto r1 = one.read_exact(6, budget);
  auto r2 = two.read_exact(6, budget);
  EXPECT_EQ(as_string(r1.data), "to one");
  EXPECT_EQ(as_string(r2.data), "to two");
}

TEST(Stream, SendingAnEmptyDataFrameClosesTheConnectionAfterWhatWasQueued) {
  bound_stream b;
  auto [client, id] = b.accept_client();
  ASSERT_TRUE(b.s.send(message{id, "HTTP/1.0 200 OK\r\n\r\nbye"}, budget));
  ASSERT_TRUE(b.s.send(message{id, ""}, budget));
  test::bytes seen;
  EXPECT_TRUE(client.wait_closed(budget, &seen)) << "the connection was not closed";
  EXPECT_EQ(as_string(seen), "HTTP/1.0 200 OK\r\n\r\nbye") << "queued bytes must go out first";
  auto [from, data] = next(b.s);
  EXPECT_EQ(from, id);
  EXPECT_TRUE(data.empty()) << "the disconnect notification";
  try {
    b.s.send(message{id, "too late"}, budget);
    ADD_FAILURE() << "sending to a closed connection must fail";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable);
  }
}

TEST(Stream, APeerThatDisconnectsIsNotifiedAndBecomesUnreachable) {
  bound_stream b;
  auto [client, id] = b.accept_client();
  ASSERT_TRUE(client.send_all(std::string("last words")));
  client.close();
  EXPECT_EQ(read_bytes(b.s, id, 10), "last words");
  auto [from, data] = next(b.s);
  EXPECT_EQ(from, id);
  EXPECT_TRUE(data.empty()) << "the disconnect notification";
  bool unreachable = test::eventually(
    [&] {
      try {
        b.s.send(message{id, "anyone?"}, 0ms);
        return false;
      } catch (const error& e) {
        return e.code() == errc::host_unreachable;
      }
    },
    budget);
  EXPECT_TRUE(unreachable);
}

TEST(Stream, UnknownRoutingIdsAndBadShapesAreErrors) {
  bound_stream b;
  try {
    b.s.send(message{"nobody", "x"}, budget);
    ADD_FAILURE() << "expected host_unreachable";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable);
  }
  try {
    b.s.send(message{"just one frame"}, budget);
    ADD_FAILURE() << "expected invalid_argument";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
  }
}

TEST(Stream, ConnectsToAPlainTcpServer) {
  test::raw_listener server;
  context ctx;
  socket s{ctx, socket_type::stream, test::no_linger()};
  s.set_connect_routing_id("web");
  s.connect(server.endpoint());
  auto conn = server.accept(budget);
  auto [id, data] = next(s);
  ASSERT_EQ(id, "web") << "the connect routing id names the connection";
  EXPECT_TRUE(data.empty()) << "the connect notification";
  std::string request = "GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n";
  ASSERT_TRUE(s.send(message{id, request}, budget));
  auto r = conn.read_exact(request.size(), budget);
  ASSERT_EQ(r.status, test::read_status::ok);
  EXPECT_EQ(as_string(r.data), request);
  std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  ASSERT_TRUE(conn.send_all(response));
  conn.close();
  EXPECT_EQ(read_bytes(s, id, response.size()), response);
  auto [from, end] = next(s);
  EXPECT_EQ(from, id);
  EXPECT_TRUE(end.empty()) << "the disconnect notification";
}

} // namespace
} // namespace cafmq
