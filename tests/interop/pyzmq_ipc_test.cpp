// ipc:// interop with pyzmq (libzmq in a python child): PUSH/PULL, REQ/REP, PUB/SUB and
// DEALER/ROUTER, cafmq on either side, either side binding, with NULL and with CURVE (the
// binding side is the CURVE server). One python process plays every case of a group, in the
// order this test plays the other sides (tests/interop/pyzmq_ipc_peer.py).
#include "interop/scenario_ends.hpp"
#include "interop/scenario_json.hpp"
#include "support/child_process.hpp"
#include "support/curve_test_keys.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto group_budget = 90000ms;

std::string ipc_peer_script() {
  std::string matrix_peer = CAFMQ_PYZMQ_PEER;
  return matrix_peer.substr(0, matrix_peer.rfind('/')) + "/pyzmq_ipc_peer.py";
}

// A cafmq side with the case's security options.
class secured_end final : public test::end {
public:
  secured_end(context& ctx, socket_type t, socket_options o) : s_(ctx, t, std::move(o)) {}
  std::string bind(const std::string& ep) override {
    s_.bind(ep);
    return s_.last_endpoint();
  }
  void connect(const std::string& ep) override { s_.connect(ep); }
  void send(const test::frames& f) override {
    message m;
    for (auto& x : f)
      m.add(frame{x});
    ASSERT_TRUE(s_.send(std::move(m), test::step_budget)) << "cafmq send timed out";
  }
  std::optional<test::frames> recv(std::chrono::milliseconds timeout) override {
    auto m = s_.recv(timeout);
    if (!m)
      return std::nullopt;
    return test::frames_of(*m);
  }
  void subscribe(const std::string& prefix) override { s_.subscribe(prefix); }

private:
  socket s_;
};

struct ipc_case {
  test::matrix_case c;
  std::string endpoint;
  std::string flag;
};

bool wanted_pair(const test::type_pair& p) {
  using st = socket_type;
  return (p.a == st::push && p.b == st::pull) || (p.a == st::req && p.b == st::rep)
         || (p.a == st::pub && p.b == st::sub) || (p.a == st::dealer && p.b == st::router);
}

// The CURVE settings of a side: the binder is the server.
socket_options cafmq_options(socket_type t, char side, bool binds, bool curve) {
  auto o = test::no_linger();
  o.routing_id = test::routing_id_for(t, side);
  if (!curve)
    return o;
  if (binds) {
    o.curve_server = true;
    o.curve_secretkey = test::server_secret;
  } else {
    o.curve_serverkey = test::server_public;
    o.curve_publickey = test::client_public;
    o.curve_secretkey = test::client_secret;
  }
  return o;
}

std::string python_curve(bool binds) {
  using test::json_string;
  if (binds)
    return R"({"server": true, "secret": )" + json_string(test::server_secret)
           + R"(, "public": )" + json_string(test::server_public) + "}";
  return R"({"server": false, "secret": )" + json_string(test::client_secret) + R"(, "public": )"
         + json_string(test::client_public) + R"(, "serverkey": )"
         + json_string(test::server_public) + "}";
}

class PyzmqIpc : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    std::string templ = "/tmp/cafmq-pyzmq-ipc-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    ASSERT_NE(::mkdtemp(buf.data()), nullptr);
    dir_ = buf.data();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
};

TEST_P(PyzmqIpc, EveryPatternBothDirectionsBothBindSides) {
  bool curve = GetParam();
  std::vector<ipc_case> cases;
  for (auto c : test::matrix_cases())
    if (wanted_pair(c.types)) {
      auto n = std::to_string(cases.size());
      cases.push_back({c, "ipc://" + dir_ + "/case-" + n, dir_ + "/flag-" + n});
    }
  ASSERT_EQ(cases.size(), 16u) << "4 pairs x cafmq on either side x either side binding";
  std::string json = "[";
  for (auto& k : cases) {
    char theirs = k.c.cafmq_is_a ? 'b' : 'a';
    bool they_bind = (theirs == 'a') == k.c.a_binds;
    auto their_type = k.c.cafmq_is_a ? k.c.types.b : k.c.types.a;
    json += (json.size() > 1 ? "," : "") + std::string("{\"type\": \"") + std::string(cli_name(their_type))
            + "\", \"side\": \"" + theirs + "\", \"mode\": \""
            + (they_bind ? "bind" : "connect") + "\", \"endpoint\": "
            + test::json_string(k.endpoint) + ", \"flag\": " + test::json_string(k.flag)
            + ", \"steps\": " + test::steps_json(test::scenario(k.c.types))
            + ", \"curve\": " + (curve ? python_curve(they_bind) : "null") + "}";
  }
  json += "]";

  context ctx;
  test::child_process python{{CAFMQ_PYTHON, ipc_peer_script(), json}};
  std::vector<std::unique_ptr<secured_end>> ends;
  for (auto& k : cases) {
    SCOPED_TRACE(test::pair_case_name(k.c.types, k.c.cafmq_is_a, k.c.a_binds, "Pyzmq"));
    char mine = k.c.cafmq_is_a ? 'a' : 'b';
    auto my_type = k.c.cafmq_is_a ? k.c.types.a : k.c.types.b;
    bool i_bind = (mine == 'a') == k.c.a_binds;
    // Every end stays open until python is done: a last send of a case may still be queued
    // while python finishes the case before.
    ends.push_back(std::make_unique<secured_end>(ctx, my_type,
                                                 cafmq_options(my_type, mine, i_bind, curve)));
    auto& me = *ends.back();
    if (my_type == socket_type::sub)
      me.subscribe(test::sub_prefix);
    if (i_bind)
      me.bind(k.endpoint);
    else
      me.connect(k.endpoint);  // works before the python side has bound
    test::scenario_sides sides;
    sides.local = [&](char s) -> test::end* { return s == mine ? &me : nullptr; };
    sides.partner_confirmed = [&] { return ::access(k.flag.c_str(), F_OK) == 0; };
    sides.confirm = [&] { std::ofstream{k.flag}; };
    test::play(test::scenario(k.c.types), sides);
    if (HasFatalFailure())
      break;
  }
  auto r = python.wait(group_budget);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "OK\n") << r.describe();
}

INSTANTIATE_TEST_SUITE_P(NullAndCurve, PyzmqIpc, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Curve" : "Null"; });

} // namespace
} // namespace cafmq
