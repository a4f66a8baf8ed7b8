// Descriptors the library opens are close-on-exec (as libzmq's): a program started with
// fork+exec keeps none of the sockets' listeners or connections, so a port or an ipc path is
// free again once the socket closes, whatever child processes still run.
#include "integration/ipc_test_paths.hpp"
#include "support/child_process.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

socket_options no_linger() {
  socket_options o;
  o.linger_ms = 0;
  return o;
}

// A PULL bound on tcp and ipc, a PUSH connected to both, one message over each connection:
// listeners, accepted and dialed connections all exist.
TEST(DescriptorInheritance, AChildProcessInheritsNoSocketOfTheLibrary) {
  test::ipc_dir dir;
  context ctx;
  socket pull{ctx, socket_type::pull, no_linger()};
  socket push_tcp{ctx, socket_type::push, no_linger()};
  socket push_ipc{ctx, socket_type::push, no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  pull.bind("ipc://" + dir.path("in"));
  push_tcp.connect(pull.last_endpoint());
  push_ipc.connect("ipc://" + dir.path("in"));
  ASSERT_TRUE(push_tcp.send(message{"tcp"}, 5s));
  ASSERT_TRUE(push_ipc.send(message{"ipc"}, 5s));
  ASSERT_TRUE(pull.recv(5s));
  ASSERT_TRUE(pull.recv(5s));

  auto r = test::run_process({"/bin/sh", "-c", "ls -l /proc/$$/fd"}, 10s);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.find("socket:"), std::string::npos) << "the child inherited sockets:\n" << r.out;
}

TEST(DescriptorInheritance, APortIsFreeAfterCloseWhileAChildStillRuns) {
  test::ipc_dir dir;
  context ctx;
  std::string tcp_ep, ipc_ep = "ipc://" + dir.path("free");
  {
    socket first{ctx, socket_type::pull, no_linger()};
    first.bind("tcp://127.0.0.1:*");
    tcp_ep = first.last_endpoint();
    first.bind(ipc_ep);
    // Forked while both listeners are open; "up" comes after the exec, which is when the
    // close-on-exec descriptors are gone from the child (until then a fork holds every one).
    test::child_process sleeper({"/bin/sh", "-c", "echo up; exec sleep 30"});
    ASSERT_EQ(sleeper.wait_for_line("up", 10s, true), "up");
    first.close();
    socket second{ctx, socket_type::pull, no_linger()};
    EXPECT_NO_THROW(second.bind(tcp_ep));  // address_in_use if the child held the listener
    EXPECT_NO_THROW(second.bind(ipc_ep));  // a live endpoint (the child's copy) is refused
  }
}

} // namespace
} // namespace cafmq
