// RFC 23 §The Socket-Type Property: a peer whose Socket-Type does not fit ours gets an ERROR
// command whose reason names both types, then the connection closes, for every incompatible
// pair (PUB to PUSH, REQ to REQ, ...); compatible pairs complete the handshake (READY back).
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/zmtp_wire.hpp"

#include "patterns/socket_compat.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmtp = test::zmtp;

struct type_case {
  socket_type ours;
  socket_type peer;
};

std::string upper(socket_type t) {
  return std::string(zmtp_name(t));
}

class SocketTypeRefusal : public ::testing::TestWithParam<type_case> {};

TEST_P(SocketTypeRefusal, IncompatiblePeerGetsAnErrorNamingBothTypesThenEof) {
  auto [ours, peer] = GetParam();
  context ctx;
  socket s{ctx, ours, test::no_linger()};
  s.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(s.last_endpoint(), 2000ms);
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::greeting(), zmtp::ready_socket_type(upper(peer))})));
  ASSERT_EQ(c.read_exact(64, 2000ms).status, test::read_status::ok) << "no greeting";
  auto f = zmtp::read_frame(c, 2000ms);
  if (f && f->command_name() == "READY")  // cafmq may send READY before judging ours
    f = zmtp::read_frame(c, 2000ms);
  ASSERT_TRUE(f.has_value()) << "closed without an ERROR command";
  ASSERT_EQ(f->command_name(), "ERROR");
  auto data = f->command_data();
  ASSERT_FALSE(data.empty());
  std::string reason(data.begin() + 1, data.end());
  EXPECT_NE(reason.find(upper(ours)), std::string::npos) << reason;
  EXPECT_NE(reason.find(upper(peer)), std::string::npos) << reason;
  EXPECT_TRUE(c.wait_closed(2000ms)) << "connection not closed after ERROR";
}

TEST(SocketTypeRefusal, CompatiblePeersCompleteTheHandshake) {
  context ctx;
  for (auto [ours, peer] : {type_case{socket_type::push, socket_type::pull},
                            type_case{socket_type::router, socket_type::dealer},
                            type_case{socket_type::xpub, socket_type::sub}}) {
    socket s{ctx, ours, test::no_linger()};
    s.bind("tcp://127.0.0.1:*");
    auto c = zmtp::handshake_as(s.last_endpoint(), upper(peer), 2000ms);  // throws on refusal
    EXPECT_GE(c.fd(), 0) << upper(ours) << " refused " << upper(peer);
  }
}

std::vector<type_case> incompatible_pairs() {
  const socket_type zmtp_types[] = {
    socket_type::pair, socket_type::pub,  socket_type::sub,  socket_type::req,
    socket_type::rep,  socket_type::dealer, socket_type::router, socket_type::pull,
    socket_type::push, socket_type::xpub, socket_type::xsub};
  std::vector<type_case> out;
  for (auto ours : zmtp_types)
    for (auto peer : zmtp_types)
      if (!patterns::compatible(ours, zmtp_name(peer)))
        out.push_back({ours, peer});
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryIncompatiblePair, SocketTypeRefusal,
                         ::testing::ValuesIn(incompatible_pairs()), [](const auto& info) {
                           return upper(info.param.ours) + "_refuses_" + upper(info.param.peer);
                         });

} // namespace
} // namespace cafmq
