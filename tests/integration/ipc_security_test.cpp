// ipc:// and who may connect: the peer-credential filters (ipc_filter_uid/gid/pid, libzmq's
// ZMQ_IPC_FILTER_*) admit or close a connection with an event saying why, the authenticator
// sees the client process's uid/gid/pid (and libzmq's "localhost:uid:gid:pid" address), and
// CURVE runs over ipc as over tcp.
#include "integration/ipc_test_paths.hpp"
#include "support/curve_test_keys.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <future>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 5000ms;

// Binds a PULL with `o` on a fresh path, connects a PUSH and says whether a message made it.
struct filtered_pair {
  explicit filtered_pair(socket_options o)
    : pull(ctx, socket_type::pull, test::no_linger(std::move(o))),
      push(ctx, socket_type::push, test::no_linger()) {
    pull_events.emplace(pull.monitor());
    pull.bind(dir.endpoint("f.sock"));
    push.connect(dir.endpoint("f.sock"));
  }
  test::ipc_dir dir;
  context ctx;
  socket pull;
  socket push;
  std::optional<event_stream> pull_events;
};

void expect_admitted(filtered_pair& p) {
  ASSERT_TRUE(p.push.send(message{"admitted"}, budget));
  auto m = p.pull.recv(budget);
  ASSERT_TRUE(m.has_value()) << "an admitted peer's message never arrived";
}

TEST(IpcFilters, AListedUidIsAdmitted) {
  socket_options o;
  o.ipc_filter_uid = {::getuid()};
  filtered_pair p{o};
  expect_admitted(p);
}

TEST(IpcFilters, AListedGidOrPidIsAdmitted) {
  socket_options by_gid;
  by_gid.ipc_filter_gid = {::getgid()};
  filtered_pair g{by_gid};
  expect_admitted(g);
  socket_options by_pid;
  by_pid.ipc_filter_pid = {::getpid()};
  filtered_pair p{by_pid};
  expect_admitted(p);
}

TEST(IpcFilters, AnUnlistedPeerIsClosedWithAnAcceptFailedEvent) {
  socket_options o;
  o.ipc_filter_uid = {::getuid() + 4242};
  o.ipc_filter_pid = {::getpid() + 4242};
  filtered_pair p{o};
  std::vector<monitor_event> seen;
  auto refused = test::next_event(*p.pull_events, event_kind::accept_failed, budget, &seen);
  ASSERT_TRUE(refused) << test::describe(seen);
  EXPECT_EQ(refused->reason_code, event_reason::auth);
  EXPECT_NE(refused->reason.find("uid " + std::to_string(::getuid())), std::string::npos)
    << refused->reason;
  // The pusher redials and is refused again; no connection ever gets through its handshake.
  ASSERT_TRUE(test::next_event(*p.pull_events, event_kind::accept_failed, budget, &seen))
    << test::describe(seen);
  for (auto& e : seen)
    EXPECT_NE(e.kind, event_kind::handshake_succeeded) << test::describe(seen);
}

TEST(IpcFilters, ChangedFiltersApplyToLaterBinds) {
  test::ipc_dir dir;
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.set(opt::ipc_filter_uid, std::vector<uint32_t>{::getuid() + 1});
  EXPECT_EQ(pull.get(opt::ipc_filter_uid), std::vector<uint32_t>{::getuid() + 1});
  auto events = pull.monitor();
  pull.bind(dir.endpoint("later.sock"));
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(dir.endpoint("later.sock"));
  std::vector<monitor_event> seen;
  EXPECT_TRUE(test::next_event(events, event_kind::accept_failed, budget, &seen))
    << test::describe(seen);
}

// Records the first request it is asked, then allows it.
class recording_authenticator final : public authenticator {
public:
  void authenticate(const auth_request& r, std::function<void(const auth_reply&)> done) override {
    std::call_once(once_, [&] { first_.set_value(r); });
    done({200, "OK", "local-user"});
  }
  std::future<auth_request> first() { return first_.get_future(); }

private:
  std::once_flag once_;
  std::promise<auth_request> first_;
};

TEST(IpcSecurity, TheAuthenticatorSeesThePeerProcess) {
  test::ipc_dir dir;
  auto auth = std::make_shared<recording_authenticator>();
  auto asked = auth->first();
  context ctx;
  auto so = test::no_linger();
  so.plain_server = true;
  so.authenticator = auth;
  socket server{ctx, socket_type::pull, so};
  server.bind(dir.endpoint("auth.sock"));
  auto co = test::no_linger();
  co.plain_username = "u";
  co.plain_password = "p";
  socket client{ctx, socket_type::push, co};
  client.connect(dir.endpoint("auth.sock"));
  ASSERT_EQ(asked.wait_for(budget), std::future_status::ready);
  auto r = asked.get();
  ASSERT_TRUE(r.peer_process.has_value());
  EXPECT_EQ(r.peer_process->uid, ::getuid());
  EXPECT_EQ(r.peer_process->gid, ::getgid());
  EXPECT_EQ(r.peer_process->pid, ::getpid());
  auto libzmq_address = "localhost:" + std::to_string(::getuid()) + ":"
                        + std::to_string(::getgid()) + ":" + std::to_string(::getpid());
  EXPECT_EQ(r.address, libzmq_address);
  ASSERT_TRUE(client.send(message{"x"}, budget));
  ASSERT_TRUE(server.recv(budget).has_value());
}

TEST(IpcSecurity, CurveCarriesMessagesBothWays) {
  test::ipc_dir dir;
  context ctx;
  auto so = test::no_linger();
  so.curve_server = true;
  so.curve_secretkey = test::server_secret;
  socket server{ctx, socket_type::pair, so};
  auto events = server.monitor();
  server.bind(dir.endpoint("curve.sock"));
  auto co = test::no_linger();
  co.curve_serverkey = test::server_public;
  co.curve_publickey = test::client_public;
  co.curve_secretkey = test::client_secret;
  socket client{ctx, socket_type::pair, co};
  client.connect(dir.endpoint("curve.sock"));
  ASSERT_TRUE(client.send(message{"hello", "", std::string(70000, 'x')}, budget));
  auto got = server.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(test::frames_of(*got),
            (std::vector<std::string>{"hello", "", std::string(70000, 'x')}));
  ASSERT_TRUE(server.send(message{"world"}, budget));
  ASSERT_TRUE(client.recv(budget).has_value());
  std::vector<monitor_event> seen;
  auto ok = test::next_event(events, event_kind::handshake_succeeded, budget, &seen);
  ASSERT_TRUE(ok) << test::describe(seen);
  EXPECT_EQ(ok->mechanism, "CURVE");
}

TEST(IpcSecurity, AWrongServerKeyFailsTheHandshake) {
  test::ipc_dir dir;
  context ctx;
  auto so = test::no_linger();
  so.curve_server = true;
  so.curve_secretkey = test::server_secret;
  socket server{ctx, socket_type::pull, so};
  auto events = server.monitor();
  server.bind(dir.endpoint("wrong.sock"));
  auto co = test::no_linger();
  co.curve_serverkey = test::client_public;  // not the server's key
  socket client{ctx, socket_type::push, co};
  client.connect(dir.endpoint("wrong.sock"));
  std::vector<monitor_event> seen;
  EXPECT_TRUE(test::next_event(events, event_kind::handshake_failed, budget, &seen))
    << test::describe(seen);
}

} // namespace
} // namespace cafmq
