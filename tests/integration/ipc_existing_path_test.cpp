// ipc:// and a path that already exists (docs/transports.md): a live endpoint is never
// taken over (libzmq silently steals it), a stale socket file is replaced, a file that is not a
// socket is never removed, and closing removes the socket file only while it is still ours.
#include "integration/ipc_test_paths.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 5000ms;

void expect_delivery(context& ctx, socket& pull, const std::string& ep) {
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  ASSERT_TRUE(push.send(message{"through"}, budget));
  auto m = pull.recv(budget);
  ASSERT_TRUE(m.has_value()) << "nothing arrived through " << ep;
}

errc bind_error(socket& s, const std::string& ep, std::string* what = nullptr) {
  try {
    s.bind(ep);
  } catch (const error& e) {
    if (what)
      *what = e.what();
    return e.code();
  }
  return errc::internal;  // "no error": the tests expect one
}

TEST(IpcExistingPath, ALiveCafmqEndpointIsNotStolen) {
  test::ipc_dir dir;
  auto ep = dir.endpoint("live.sock");
  context ctx;
  socket owner{ctx, socket_type::pull, test::no_linger()};
  owner.bind(ep);
  context other;
  socket thief{other, socket_type::pull, test::no_linger()};
  std::string what;
  EXPECT_EQ(bind_error(thief, ep, &what), errc::address_in_use);
  EXPECT_NE(what.find("live"), std::string::npos) << what;
  expect_delivery(ctx, owner, ep);  // the owner still has its endpoint
}

TEST(IpcExistingPath, AnotherProgramsLiveSocketIsNotStolen) {
  test::ipc_dir dir;
  int fd = test::raw_unix_socket(dir.path("theirs.sock"), true);
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  EXPECT_EQ(bind_error(s, dir.endpoint("theirs.sock")), errc::address_in_use);
  EXPECT_TRUE(test::is_socket_file(dir.path("theirs.sock")));
  ::close(fd);
}

TEST(IpcExistingPath, AStaleSocketFileIsReplaced) {
  test::ipc_dir dir;
  test::raw_unix_socket(dir.path("stale.sock"), false);  // what a crashed process leaves
  ASSERT_TRUE(test::is_socket_file(dir.path("stale.sock")));
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  ASSERT_NO_THROW(s.bind(dir.endpoint("stale.sock")));
  expect_delivery(ctx, s, dir.endpoint("stale.sock"));
}

TEST(IpcExistingPath, AFileThatIsNotASocketIsNeverRemoved) {
  test::ipc_dir dir;
  std::ofstream{dir.path("data.txt")} << "precious";
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  std::string what;
  EXPECT_EQ(bind_error(s, dir.endpoint("data.txt"), &what), errc::address_in_use);
  EXPECT_NE(what.find("not a socket"), std::string::npos) << what;
  std::string content;
  std::ifstream{dir.path("data.txt")} >> content;
  EXPECT_EQ(content, "precious");
}

TEST(IpcExistingPath, CloseLeavesASocketFileThatIsNoLongerOurs) {
  test::ipc_dir dir;
  auto ep = dir.endpoint("moved.sock");
  context ctx;
  socket first{ctx, socket_type::pull, test::no_linger()};
  first.bind(ep);
  auto first_inode = test::inode_of(dir.path("moved.sock"));
  ASSERT_EQ(::unlink(dir.path("moved.sock").c_str()), 0);  // an operator cleans up by hand...
  socket second{ctx, socket_type::pull, test::no_linger()};
  second.bind(ep);  // ...and a new instance binds the path
  ASSERT_NE(test::inode_of(dir.path("moved.sock")), first_inode);
  first.close();
  EXPECT_TRUE(test::is_socket_file(dir.path("moved.sock")))
    << "closing the first socket removed the second one's file";
  expect_delivery(ctx, second, ep);
}

} // namespace
} // namespace cafmq
