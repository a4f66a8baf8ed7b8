// TCP keepalive options (ZMQ_TCP_KEEPALIVE*) reach the sockets cafmq accepts and dials: the test
// finds cafmq's end of the connection among this process's descriptors and reads the options.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

uint16_t port_of(int fd, bool peer) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (rc != 0)
    return 0;
  if (a.ss_family == AF_INET)
    return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
  if (a.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
  return 0;
}

// The descriptor of the other end of `ours` (a raw test socket) in this process, or -1.
int other_end_of(int ours) {
  uint16_t local = port_of(ours, false);
  uint16_t remote = port_of(ours, true);
  int found = -1;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) {
      int fd = std::atoi(e->d_name);
      if (fd != ours && e->d_name[0] != '.' && port_of(fd, false) == remote
          && port_of(fd, true) == local)
        found = fd;
    }
    ::closedir(d);
  }
  return found;
}

int get(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  ::getsockopt(fd, level, name, &v, &len);
  return v;
}

socket_options keepalive_on() {
  auto o = test::no_linger();
  o.tcp_keepalive = 1;
  o.tcp_keepalive_idle = 17;
  o.tcp_keepalive_cnt = 4;
  o.tcp_keepalive_intvl = 3;
  return o;
}

void expect_keepalive_applied(int fd) {
  ASSERT_GE(fd, 0) << "cafmq's end of the connection was not found";
  EXPECT_EQ(get(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(get(fd, IPPROTO_TCP, TCP_KEEPIDLE), 17);
  EXPECT_EQ(get(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
  EXPECT_EQ(get(fd, IPPROTO_TCP, TCP_KEEPINTVL), 3);
}

TEST(TcpKeepaliveOption, AppliedToAcceptedConnections) {
  context ctx;
  socket pull{ctx, socket_type::pull, keepalive_on()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pull.last_endpoint(), 2000ms);
  // The options are set when the session starts, which the greeting's signature (a NULL socket
  // sends it first, alone) proves has happened.
  ASSERT_EQ(c.read_exact(10, 2000ms).status, test::read_status::ok);
  expect_keepalive_applied(other_end_of(c.fd()));
}

TEST(TcpKeepaliveOption, AppliedToDialedConnections) {
  test::raw_listener listener;
  context ctx;
  socket push{ctx, socket_type::push, keepalive_on()};
  push.connect(listener.endpoint());
  auto c = listener.accept(5000ms);
  ASSERT_EQ(c.read_exact(10, 2000ms).status, test::read_status::ok);
  expect_keepalive_applied(other_end_of(c.fd()));
}

TEST(LivenessOptions, InvalidValuesAreRefusedWithTheOptionName) {
  struct bad {
    const char* name;
    void (*set)(socket_options&);
  };
  const bad cases[] = {
    {"heartbeat_ivl", [](socket_options& o) { o.heartbeat_ivl_ms = -1; }},
    {"heartbeat_ttl", [](socket_options& o) { o.heartbeat_ttl_ms = 6553600; }},
    {"heartbeat_ttl", [](socket_options& o) { o.heartbeat_ttl_ms = -1; }},
    {"heartbeat_timeout", [](socket_options& o) { o.heartbeat_timeout_ms = -2; }},
    {"tcp_keepalive", [](socket_options& o) { o.tcp_keepalive = 2; }},
    {"tcp_keepalive_idle", [](socket_options& o) { o.tcp_keepalive_idle = 0; }},
    {"tcp_keepalive_cnt", [](socket_options& o) { o.tcp_keepalive_cnt = -5; }},
    {"tcp_keepalive_intvl", [](socket_options& o) { o.tcp_keepalive_intvl = 0; }},
  };
  for (auto& b : cases) {
    socket_options o;
    b.set(o);
    try {
      o.validate();
      ADD_FAILURE() << b.name << ": invalid value accepted";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find(b.name), std::string::npos) << e.what();
    }
  }
  socket_options ok;
  ok.heartbeat_ttl_ms = 6553599;
  ok.heartbeat_timeout_ms = 0;
  ok.tcp_keepalive = 1;
  EXPECT_NO_THROW(ok.validate());
}

} // namespace
} // namespace cafmq
