// TCP keepalive options (libzmq's ZMQ_TCP_KEEPALIVE*) applied to a real connected TCP socket and
// read back with getsockopt.
#include "net/stream.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cafmq::net {
namespace {

// A connected loopback TCP pair, closed on destruction.
struct tcp_pair {
  int client = -1;
  int server = -1;
  tcp_pair() {
    int lst = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(lst, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lst, 1) != 0
        || ::getsockname(lst, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      ADD_FAILURE() << "cannot listen on loopback";
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      ADD_FAILURE() << "cannot connect on loopback";
    server = ::accept(lst, nullptr, nullptr);
    ::close(lst);
  }
  ~tcp_pair() {
    ::close(client);
    ::close(server);
  }
};

int get(int fd, int level, int name) {
  int v = -12345;
  socklen_t len = sizeof v;
  EXPECT_EQ(::getsockopt(fd, level, name, &v, &len), 0);
  return v;
}

TEST(TcpKeepalive, OnWithTuningSetsAllFourSocketOptions) {
  tcp_pair p;
  auto err = apply_tcp_keepalive(p.server, tcp_keepalive{1, 7, 3, 2});
  EXPECT_EQ(err, "");
  EXPECT_EQ(get(p.server, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(get(p.server, IPPROTO_TCP, TCP_KEEPIDLE), 7);
  EXPECT_EQ(get(p.server, IPPROTO_TCP, TCP_KEEPCNT), 3);
  EXPECT_EQ(get(p.server, IPPROTO_TCP, TCP_KEEPINTVL), 2);
}

TEST(TcpKeepalive, MinusOneLeavesTheOsDefaults) {
  tcp_pair p;
  int before_idle = get(p.client, IPPROTO_TCP, TCP_KEEPIDLE);
  int before_on = get(p.client, SOL_SOCKET, SO_KEEPALIVE);
  EXPECT_EQ(apply_tcp_keepalive(p.client, tcp_keepalive{}), "");
  EXPECT_EQ(get(p.client, SOL_SOCKET, SO_KEEPALIVE), before_on);
  EXPECT_EQ(apply_tcp_keepalive(p.client, tcp_keepalive{1, -1, 4, -1}), "");
  EXPECT_EQ(get(p.client, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(get(p.client, IPPROTO_TCP, TCP_KEEPIDLE), before_idle) << "-1 must not be applied";
  EXPECT_EQ(get(p.client, IPPROTO_TCP, TCP_KEEPCNT), 4);
}

TEST(TcpKeepalive, OffClearsSoKeepaliveAndIgnoresTheTuning) {
  tcp_pair p;
  ASSERT_EQ(apply_tcp_keepalive(p.client, tcp_keepalive{1, 9, -1, -1}), "");
  EXPECT_EQ(apply_tcp_keepalive(p.client, tcp_keepalive{0, 30, -1, -1}), "");
  EXPECT_EQ(get(p.client, SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(get(p.client, IPPROTO_TCP, TCP_KEEPIDLE), 9) << "tuning applies only with keepalive on";
}

TEST(TcpKeepalive, AFailureIsReportedNotThrown) {
  auto err = apply_tcp_keepalive(-1, tcp_keepalive{1, 5, -1, -1});
  EXPECT_NE(err.find("SO_KEEPALIVE"), std::string::npos) << err;
}

} // namespace
} // namespace cafmq::net
