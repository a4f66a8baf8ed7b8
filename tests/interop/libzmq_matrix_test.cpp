// The interop matrix: every compatible pair of socket types (RFC 28-31, libzmq's table), with
// cafmq on either side and either side binding, against a real libzmq peer in the same process.
// Each case plays the pair's conversation from scenarios.hpp, multipart throughout: requests and
// replies with their envelopes, identities seen through ROUTER, subscriptions forwarded upstream
// and filtered data downstream.
#include "interop/scenario_ends.hpp"

namespace cafmq {
namespace {

namespace zmq = test::zmq;

using test::matrix_case;

class LibzmqMatrix : public ::testing::TestWithParam<matrix_case> {
protected:
  std::unique_ptr<test::end> make(socket_type t, bool use_cafmq, char side) {
    auto id = test::routing_id_for(t, side);
    if (use_cafmq)
      return std::make_unique<test::cafmq_end>(ctx_, t, id);
    return std::make_unique<test::zmq_end>(zctx_, t, id);
  }

  context ctx_;
  zmq::context zctx_;
};

TEST_P(LibzmqMatrix, ConversationWithMultipartMessages) {
  auto c = GetParam();
  auto a = make(c.types.a, c.cafmq_is_a, 'a');
  auto b = make(c.types.b, !c.cafmq_is_a, 'b');
  if (c.types.b == socket_type::sub)
    b->subscribe(test::sub_prefix);
  if (c.a_binds)
    b->connect(a->bind("tcp://127.0.0.1:*"));
  else
    a->connect(b->bind("tcp://127.0.0.1:*"));
  test::scenario_sides sides;
  sides.local = [&](char s) { return s == 'a' ? a.get() : b.get(); };
  test::play(test::scenario(c.types), sides);
}

INSTANTIATE_TEST_SUITE_P(EveryCompatiblePair, LibzmqMatrix, ::testing::ValuesIn(test::matrix_cases()),
                         test::matrix_case_namer("Libzmq"));

} // namespace
} // namespace cafmq
