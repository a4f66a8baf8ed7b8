// The interop matrix against pyzmq (libzmq under Python, in a child process): every compatible
// pair of socket types, cafmq on either side, either side binding, playing the same conversations
// as the libzmq matrix (scenarios.hpp). The python side is tests/interop/pyzmq_scenario_peer.py.
#include "interop/scenario_ends.hpp"
#include "interop/scenario_json.hpp"
#include "support/child_process.hpp"
#include "support/ports.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto process_budget = 30000ms;

using test::matrix_case;

// A file the receiving side of a send_until creates; gone before and after the test.
class flag_file {
public:
  flag_file() : path_("/tmp/cafmq-pyzmq-flag-" + std::to_string(::getpid()) + "-" + std::to_string(++n_)) {
    std::remove(path_.c_str());
  }
  ~flag_file() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  bool exists() const { return ::access(path_.c_str(), F_OK) == 0; }
  void create() const { std::ofstream{path_}; }

private:
  static inline int n_ = 0;
  std::string path_;
};

class PyzmqMatrix : public ::testing::TestWithParam<matrix_case> {};

TEST_P(PyzmqMatrix, ConversationWithMultipartMessages) {
  auto c = GetParam();
  char mine = c.cafmq_is_a ? 'a' : 'b';
  char theirs = c.cafmq_is_a ? 'b' : 'a';
  socket_type my_type = c.cafmq_is_a ? c.types.a : c.types.b;
  socket_type their_type = c.cafmq_is_a ? c.types.b : c.types.a;
  bool i_bind = (mine == 'a') == c.a_binds;
  auto steps = test::scenario(c.types);
  auto ep = test::local_endpoint(test::free_tcp_port());
  flag_file flag;

  context ctx;
  test::cafmq_end me{ctx, my_type, test::routing_id_for(my_type, mine)};
  if (my_type == socket_type::sub)
    me.subscribe(test::sub_prefix);
  if (i_bind)
    me.bind(ep);
  test::child_process python{{CAFMQ_PYTHON, CAFMQ_PYZMQ_PEER, std::string(cli_name(their_type)),
                              std::string(1, theirs), i_bind ? "connect" : "bind", ep,
                              flag.path(), test::steps_json(steps)}};
  if (!i_bind)
    me.connect(ep);  // works before the python side has bound

  test::scenario_sides sides;
  sides.local = [&](char s) -> test::end* { return s == mine ? &me : nullptr; };
  sides.partner_confirmed = [&] { return flag.exists(); };
  sides.confirm = [&] { flag.create(); };
  test::play(steps, sides);
  auto r = python.wait(process_budget);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "OK\n") << r.describe();
}

INSTANTIATE_TEST_SUITE_P(EveryCompatiblePair, PyzmqMatrix, ::testing::ValuesIn(test::matrix_cases()),
                         test::matrix_case_namer("Pyzmq"));

} // namespace
} // namespace cafmq
