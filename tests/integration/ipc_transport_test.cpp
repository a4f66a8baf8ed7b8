// ipc:// between cafmq sockets: paths, the abstract namespace and the wildcard carry messages,
// monitor events name the endpoint as libzmq does, the OS's refusals are clear errors, and a
// connecting socket reconnects when the binder comes back.
#include "integration/ipc_test_paths.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 5000ms;

// Sends one message from `push` and expects it at `pull`.
void expect_delivery(socket& push, socket& pull, const std::string& text) {
  ASSERT_TRUE(push.send(message{text}, budget)) << "send of '" << text << "' timed out";
  auto m = pull.recv(budget);
  ASSERT_TRUE(m.has_value()) << "'" << text << "' never arrived";
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{text});
}

TEST(IpcTransport, PathCarriesMessagesAndEventsNameTheBoundPath) {
  test::ipc_dir dir;
  auto ep = dir.endpoint("a.sock");
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto pull_events = pull.monitor();
  pull.bind(ep);
  EXPECT_EQ(pull.last_endpoint(), ep);
  EXPECT_TRUE(test::is_socket_file(dir.path("a.sock")));
  socket push{ctx, socket_type::push, test::no_linger()};
  auto push_events = push.monitor();
  push.connect(ep);
  expect_delivery(push, pull, "over ipc");
  std::vector<monitor_event> seen;
  auto accepted = test::next_event(pull_events, event_kind::accepted, budget, &seen);
  ASSERT_TRUE(accepted) << test::describe(seen);
  EXPECT_EQ(accepted->local_endpoint, ep);
  EXPECT_EQ(accepted->remote_endpoint, ep);  // libzmq names the bound path on both sides
  auto connected = test::next_event(push_events, event_kind::connected, budget, &seen);
  ASSERT_TRUE(connected) << test::describe(seen);
  EXPECT_EQ(connected->endpoint, ep);
  EXPECT_EQ(connected->remote_endpoint, ep);
}

TEST(IpcTransport, RelativePathBindsInTheWorkingDirectory) {
  test::ipc_dir dir;
  auto old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path(""));
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("ipc://rel.sock");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect("ipc://rel.sock");
  expect_delivery(push, pull, "relative");
  EXPECT_TRUE(test::is_socket_file(dir.path("rel.sock")));
  std::filesystem::current_path(old_cwd);
}

TEST(IpcTransport, AbstractNameCarriesMessagesAndLeavesNoFile) {
  auto ep = "ipc://@cafmq-ipc-test-" + std::to_string(::getpid());
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind(ep);
  EXPECT_EQ(pull.last_endpoint(), ep);
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  expect_delivery(push, pull, "abstract");
  socket second{ctx, socket_type::pull, test::no_linger()};
  try {
    second.bind(ep);
    FAIL() << "a second bind of " << ep << " succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::address_in_use) << e.what();
  }
}

TEST(IpcTransport, WildcardBindsAPrivatePathAndRemovesItOnUnbind) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("ipc://*");
  auto ep = pull.last_endpoint();
  ASSERT_EQ(ep.rfind("ipc:///", 0), 0u) << ep;
  auto path = ep.substr(6);
  auto dir = path.substr(0, path.rfind('/'));
  EXPECT_TRUE(test::is_socket_file(path)) << path;
  struct stat st{};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "the private directory is readable by others";
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  expect_delivery(push, pull, "wildcard");
  pull.unbind(ep);
  EXPECT_FALSE(test::exists(path)) << "unbind left the socket file";
  EXPECT_FALSE(test::exists(dir)) << "unbind left the private directory";
}

TEST(IpcTransport, CloseRemovesTheSocketFile) {
  test::ipc_dir dir;
  {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.bind(dir.endpoint("c.sock"));
    ASSERT_TRUE(test::is_socket_file(dir.path("c.sock")));
    pull.close();
  }
  EXPECT_FALSE(test::exists(dir.path("c.sock")));
}

TEST(IpcTransport, AMissingDirectoryIsAClearBindError) {
  test::ipc_dir dir;
  auto ep = dir.endpoint("no/such/dir.sock");
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  try {
    pull.bind(ep);
    FAIL() << "bind of " << ep << " succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::address_unavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find(ep), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
}

TEST(IpcTransport, AnOverlongPathIsRefusedWithItsLength) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto ep = "ipc:///tmp/" + std::string(120, 'x');
  try {
    pull.bind(ep);
    FAIL() << "bind of a 131-byte path succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint) << e.what();
  }
  EXPECT_THROW(pull.connect(ep), error);
}

TEST(IpcTransport, ConnectBeforeBindAndReconnectAfterTheBinderRestarts) {
  test::ipc_dir dir;
  auto ep = dir.endpoint("r.sock");
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  socket push{ctx, socket_type::push, o};
  auto push_events = push.monitor();
  push.connect(ep);  // nobody there yet: the dial is retried
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(push_events, event_kind::connect_retried, budget, &seen))
    << test::describe(seen);
  {
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.bind(ep);
    expect_delivery(push, pull, "first binder");
  }
  ASSERT_TRUE(test::next_event(push_events, event_kind::disconnected, budget, &seen))
    << test::describe(seen);
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind(ep);
  ASSERT_TRUE(test::next_event(push_events, event_kind::handshake_succeeded, budget, &seen))
    << test::describe(seen);
  expect_delivery(push, pull, "second binder");
}

TEST(IpcTransport, HeartbeatsKeepAnIdleConnection) {
  test::ipc_dir dir;
  auto ep = dir.endpoint("h.sock");
  context ctx;
  auto o = test::no_linger();
  o.heartbeat_ivl_ms = 20;
  o.heartbeat_timeout_ms = 200;
  socket pull{ctx, socket_type::pull, o};
  pull.bind(ep);
  socket push{ctx, socket_type::push, o};
  auto push_events = push.monitor();
  push.connect(ep);
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(push_events, event_kind::handshake_succeeded, budget, &seen));
  // Ten timeouts' worth of idleness: PINGs and PONGs flow, so no side drops the other.
  EXPECT_FALSE(test::next_event(push_events, event_kind::heartbeat_timeout, 1000ms, &seen))
    << test::describe(seen);
  expect_delivery(push, pull, "still connected");
}

} // namespace
} // namespace cafmq
