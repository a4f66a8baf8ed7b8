// Misuse of the API is reported by cafmq::error with the right errc and a message naming the bad
// value: malformed or unsupported endpoints, addresses in use, wrong direction for the socket
// type, unimplemented socket types, invalid options, closed sockets.
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// Runs `fn`, expecting cafmq::error with `code` and a what() containing `needle`.
void expect_error(const std::function<void()>& fn, errc code, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no cafmq::error thrown (expected " << to_string(code) << " mentioning '"
                  << needle << "')";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), code) << "what(): " << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
      << "message does not name '" << needle << "': " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-cafmq exception: " << e.what();
  }
}

struct bad_endpoint {
  const char* text;
  errc code;
  bool for_bind;
};

class BadEndpoints : public ::testing::TestWithParam<bad_endpoint> {};

TEST_P(BadEndpoints, AreRejectedWithAMessageNamingTheEndpoint) {
  auto p = GetParam();
  context ctx;
  socket s{ctx, p.for_bind ? socket_type::pull : socket_type::push, test::no_linger()};
  expect_error([&] { p.for_bind ? s.bind(p.text) : s.connect(p.text); }, p.code, p.text);
  // The socket is still usable after a rejected call.
  if (p.for_bind) {
    EXPECT_NO_THROW(s.bind("tcp://127.0.0.1:*"));
  }
}

INSTANTIATE_TEST_SUITE_P(
  BindAndConnect, BadEndpoints,
  ::testing::Values(bad_endpoint{"tcp://", errc::invalid_endpoint, true},
                    bad_endpoint{"tcp://", errc::invalid_endpoint, false},
                    bad_endpoint{"udp://x:1", errc::unsupported, true},
                    bad_endpoint{"udp://x:1", errc::unsupported, false},
                    bad_endpoint{"inproc://", errc::invalid_endpoint, false},
                    bad_endpoint{"tcp://host:99999", errc::invalid_endpoint, true},
                    bad_endpoint{"tcp://host:99999", errc::invalid_endpoint, false},
                    bad_endpoint{"tcp://*:1", errc::invalid_endpoint, false},
                    bad_endpoint{"tcp://127.0.0.1:*", errc::invalid_endpoint, false},
                    bad_endpoint{"tcp://127.0.0.1:0", errc::invalid_endpoint, false},
                    bad_endpoint{"tcp://127.0.0.1", errc::invalid_endpoint, true},
                    bad_endpoint{"tcp://:5555", errc::invalid_endpoint, false},
                    bad_endpoint{"tcp://127.0.0.1:12ab", errc::invalid_endpoint, true},
                    bad_endpoint{"127.0.0.1:5555", errc::invalid_endpoint, false}),
  [](const auto& info) { return std::string(info.param.for_bind ? "Bind" : "Connect") + "_"
                                + std::to_string(info.index); });

TEST(Bind, AddressInUseIsReported) {
  context ctx;
  socket a{ctx, socket_type::pull, test::no_linger()};
  a.bind("tcp://127.0.0.1:*");
  socket b{ctx, socket_type::pull, test::no_linger()};
  auto port = a.last_endpoint().substr(a.last_endpoint().rfind(':') + 1);
  expect_error([&] { b.bind(a.last_endpoint()); }, errc::address_in_use, port);
}

TEST(Bind, NonLocalAddressIsReportedAsUnavailable) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  // 192.0.2.1 (TEST-NET-1) is never a local address; bind fails without sending anything.
  expect_error([&] { s.bind("tcp://192.0.2.1:*"); }, errc::address_unavailable, "192.0.2.1");
}

TEST(Bind, LastEndpointReportsTheChosenPort) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  s.bind("tcp://127.0.0.1:*");
  auto ep = s.last_endpoint();
  ASSERT_EQ(ep.rfind("tcp://127.0.0.1:", 0), 0u) << ep;
  auto port = std::stoi(ep.substr(ep.rfind(':') + 1));
  EXPECT_GT(port, 0);
  EXPECT_LE(port, 65535);
}

TEST(Direction, PullCannotSend) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  expect_error([&] { pull.send(message{"x"}, 0ms); }, errc::unsupported, "PULL");
}

TEST(Direction, PushCannotReceive) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  expect_error([&] { push.recv(0ms); }, errc::unsupported, "PUSH");
}

TEST(Direction, EmptyMessageCannotBeSent) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  expect_error([&] { push.send(message{}, 0ms); }, errc::invalid_argument, "no frames");
}

class EveryType : public ::testing::TestWithParam<socket_type> {};

TEST_P(EveryType, CanBeCreatedBoundAndClosed) {
  context ctx;
  socket s{ctx, GetParam(), test::no_linger()};
  EXPECT_EQ(s.type(), GetParam());
  s.bind("tcp://127.0.0.1:*");
  EXPECT_NE(s.last_endpoint().find("tcp://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(s.close(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllTwelve, EveryType,
                         ::testing::Values(socket_type::pair, socket_type::pub, socket_type::sub,
                                           socket_type::req, socket_type::rep, socket_type::dealer,
                                           socket_type::router, socket_type::pull,
                                           socket_type::push, socket_type::xpub,
                                           socket_type::xsub, socket_type::stream),
                         [](const auto& info) { return std::string(cli_name(info.param)); });

struct bad_option {
  const char* name;
  std::function<void(socket_options&)> set;
};

class InvalidOptions : public ::testing::TestWithParam<bad_option> {};

TEST_P(InvalidOptions, AreRejectedWithAMessageNamingTheOption) {
  context ctx;
  socket_options o;
  GetParam().set(o);
  expect_error([&] { socket s(ctx, socket_type::push, o); }, errc::invalid_argument,
               GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(
  Values, InvalidOptions,
  ::testing::Values(bad_option{"linger", [](socket_options& o) { o.linger_ms = -5; }},
                    bad_option{"sndtimeo", [](socket_options& o) { o.sndtimeo_ms = -2; }},
                    bad_option{"rcvtimeo", [](socket_options& o) { o.rcvtimeo_ms = -2; }},
                    bad_option{"reconnect_ivl", [](socket_options& o) { o.reconnect_ivl_ms = -3; }},
                    bad_option{"handshake_ivl", [](socket_options& o) { o.handshake_ivl_ms = -1; }},
                    bad_option{"maxmsgsize", [](socket_options& o) { o.maxmsgsize = -2; }},
                    bad_option{"sndhwm", [](socket_options& o) { o.sndhwm = size_t{1} << 25; }},
                    bad_option{"rcvhwm", [](socket_options& o) { o.rcvhwm = size_t{1} << 25; }},
                    bad_option{"routing_id", [](socket_options& o) { o.routing_id = std::string(256, 'r'); }},
                    bad_option{"routing_id", [](socket_options& o) { o.routing_id = std::string(1, '\0') + "x"; }}),
  [](const auto& info) { return std::string(info.param.name) + "_" + std::to_string(info.index); });

TEST(ClosedSocket, EveryCallButCloseThrowsSocketClosed) {
  context ctx;
  socket s{ctx, socket_type::push, test::no_linger()};
  EXPECT_EQ(s.close(), 0u);
  EXPECT_EQ(s.close(), 0u) << "close() is idempotent";
  expect_error([&] { s.send(message{"x"}, 0ms); }, errc::socket_closed, "closed");
  expect_error([&] { s.bind("tcp://127.0.0.1:*"); }, errc::socket_closed, "closed");
  expect_error([&] { s.connect("tcp://127.0.0.1:5555"); }, errc::socket_closed, "closed");
  socket p{ctx, socket_type::pull, test::no_linger()};
  p.close();
  expect_error([&] { p.recv(0ms); }, errc::socket_closed, "closed");
}

TEST(ErrorCodes, EveryCodeHasADistinctName) {
  std::vector<std::string> names;
  for (auto c : {errc::invalid_argument, errc::invalid_endpoint, errc::address_in_use,
                 errc::address_unavailable, errc::unsupported, errc::socket_closed,
                 errc::wrong_state, errc::host_unreachable, errc::protocol, errc::queue_full,
                 errc::internal}) {
    std::string n = to_string(c);
    EXPECT_FALSE(n.empty());
    for (auto& other : names)
      EXPECT_NE(n, other);
    names.push_back(n);
  }
}

} // namespace
} // namespace cafmq
