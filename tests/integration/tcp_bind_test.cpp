// tcp:// binds as libzmq users rely on them: "*" listens on IPv4 and IPv6 together and
// last_endpoint says so; the ipv6 option off keeps everything IPv4; interface names
// ("tcp://lo:P") bind that interface's address; unknown names fail with a clear error.
#include "support/deadline.hpp"
#include "support/resolver.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

// True if this host can bind ::1 (IPv6 is configured on the loopback).
bool host_has_ipv6_loopback() {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string port_text(const std::string& endpoint) {
  return endpoint.substr(endpoint.rfind(':') + 1);
}

// A PUSH connected to `target` delivers one message to `pull`.
void expect_reaches(context& ctx, socket& pull, const std::string& target, const std::string& text) {
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(target);
  ASSERT_TRUE(push.send(message{text}, budget));
  auto m = pull.recv(budget);
  ASSERT_TRUE(m.has_value()) << text << " did not arrive through " << target;
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{text});
}

TEST(TcpBind, WildcardHostListensOnIpv4AndIpv6AndLastEndpointSaysDualStack) {
  if (!host_has_ipv6_loopback())
    GTEST_SKIP() << "this host has no ::1";
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://*:*");
  auto bound = pull.last_endpoint();
  auto port = port_text(bound);
  EXPECT_EQ(bound, "tcp://[::]:" + port);
  expect_reaches(ctx, pull, "tcp://127.0.0.1:" + port, "from IPv4");
  expect_reaches(ctx, pull, "tcp://[::1]:" + port, "from IPv6");
  EXPECT_EQ(pull.last_peer()->peer_address(), "::1");
}

TEST(TcpBind, LastEndpointOfAWildcardBindConnectsBack) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://*:*");
  // [::] (or 0.0.0.0 without IPv6) means "this host" to a connect, as in libzmq.
  expect_reaches(ctx, pull, pull.last_endpoint(), "back");
}

TEST(TcpBind, Ipv6OffBindsTheWildcardToIpv4OnlyAndRefusesIpv6Addresses) {
  context ctx;
  auto o = test::no_linger();
  o.ipv6 = false;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://*:*");
  auto port = port_text(pull.last_endpoint());
  EXPECT_EQ(pull.last_endpoint(), "tcp://0.0.0.0:" + port);
  expect_reaches(ctx, pull, "tcp://127.0.0.1:" + port, "v4");
  try {
    pull.bind("tcp://[::1]:*");
    FAIL() << "an IPv6 address was bound with ipv6 off";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::address_unavailable);
    EXPECT_NE(std::string(e.what()).find("ipv6 option off"), std::string::npos) << e.what();
  }
}

TEST(TcpBind, Ipv6IsALiveOptionForLaterBinds) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  EXPECT_TRUE(pull.get(opt::ipv6));
  pull.set(opt::ipv6, false);
  EXPECT_FALSE(pull.get(opt::ipv6));
  pull.bind("tcp://*:*");
  EXPECT_EQ(pull.last_endpoint().rfind("tcp://0.0.0.0:", 0), 0u) << pull.last_endpoint();
}

TEST(TcpBind, ConnectingToAnIpv6HostWithIpv6OffDoesNotReachIt) {
  if (!host_has_ipv6_loopback())
    GTEST_SKIP() << "this host has no ::1";
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://[::1]:*");
  auto o = test::no_linger();
  o.ipv6 = false;
  o.reconnect_ivl_ms = -1;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  push.connect("tcp://localhost:" + port_text(pull.last_endpoint()));
  // localhost has an IPv4 address, where nobody listens on that port: refused, never ::1.
  test::deadline d{budget};
  std::optional<monitor_event> closed;
  while (auto e = events.next(d.remaining())) {
    EXPECT_NE(e->kind, event_kind::connected) << e->remote_endpoint;
    if (e->kind == event_kind::closed) {
      closed = e;
      break;
    }
  }
  ASSERT_TRUE(closed.has_value()) << "the connector did not give up";
}

TEST(TcpBind, InterfaceNameBindsThatInterfacesAddress) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://lo:*");
  auto port = port_text(pull.last_endpoint());
  EXPECT_EQ(pull.last_endpoint(), "tcp://127.0.0.1:" + port);
  expect_reaches(ctx, pull, "tcp://127.0.0.1:" + port, "via lo");
}

TEST(TcpBind, ANameThatIsNeitherAnInterfaceNorResolvesIsAClearError) {
  if (!test::resolver_fails_fast())
    GTEST_SKIP() << "this machine's resolver takes over 1 s to refuse a .invalid name";
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  try {
    pull.bind("tcp://no-such-nic.invalid:5555");
    FAIL() << "an unknown interface was bound";
  } catch (const error& e) {
    std::string what = e.what();
    EXPECT_EQ(e.code(), errc::address_unavailable);
    EXPECT_NE(what.find("neither a network interface"), std::string::npos) << what;
    EXPECT_NE(what.find("(there are: lo"), std::string::npos) << "the interfaces there are: " << what;
  }
}

} // namespace
} // namespace cafmq
