// CVE-2019-6250 class: libzmq checked `read_pos + size > end`, so a 64-bit frame size near 2^64
// wrapped the pointer and the body was written past the buffer. Every size of the reference
// (protocol-reference §4) under every long-frame flag byte, during the handshake (instead of
// READY) and after it, must close that connection without allocating the declared size, while
// a legitimate PUSH on the same PULL keeps flowing. (The decoder's unit tests check the same
// sizes byte by byte: tests/unit/net/frame_codec_test.cpp.)
#include "support/deadline.hpp"
#include "support/guarded_pull.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
namespace zmtp = test::zmtp;

constexpr auto budget = 5000ms;
constexpr int64_t maxmsgsize = 1 << 20;

struct size_case {
  uint64_t size;
  uint8_t flags;
  bool after_handshake;
};

std::vector<size_case> cases() {
  const uint64_t sizes[] = {(uint64_t{1} << 63) - 1, uint64_t{1} << 63, ~uint64_t{0},
                            ~uint64_t{0} - 15,       0xFFFFFFFFFFFFFFDAull, maxmsgsize + 1};
  std::vector<size_case> out;
  for (bool after : {false, true})
    for (uint8_t flags : {uint8_t{0x02}, uint8_t{0x03}, uint8_t{0x06}})
      for (auto s : sizes)
        out.push_back({s, flags, after});
  return out;
}

std::string case_name(const ::testing::TestParamInfo<size_case>& i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s_Flags%02X_Size%016llX",
                i.param.after_handshake ? "AfterHandshake" : "DuringHandshake", i.param.flags,
                static_cast<unsigned long long>(i.param.size));
  return buf;
}

class Cve2019_6250 : public ::testing::TestWithParam<size_case> {};
INSTANTIATE_TEST_SUITE_P(Sizes, Cve2019_6250, ::testing::ValuesIn(cases()), case_name);

TEST_P(Cve2019_6250, HugeOrWrappingFrameSizeClosesTheConnectionAndHarmsNoOne) {
  auto& p = GetParam();
  auto o = test::no_linger();
  o.maxmsgsize = maxmsgsize;
  test::guarded_pull g{o};
  auto& pull = g.pull;
  auto events = pull.monitor();
  g.expect_flow("before");

  test::raw_client c = p.after_handshake ? zmtp::handshake_as(pull.last_endpoint(), "PUSH", budget)
                                         : test::raw_client::connect(pull.last_endpoint(), budget);
  if (!p.after_handshake) {
    ASSERT_TRUE(c.send_all(zmtp::greeting()));
  }
  auto wire = zmtp::frame_header(p.flags, p.size, true);
  wire.resize(wire.size() + 8192, 'A');  // KBs of "payload" that must land nowhere
  c.send_all(wire);                      // may fail part-way: the server may close at once
  EXPECT_TRUE(c.wait_closed(budget)) << "connection still open after the frame header";

  // The close is a protocol error about the size, not a failed allocation of it.
  auto want = p.after_handshake ? event_kind::disconnected : event_kind::handshake_failed;
  std::optional<monitor_event> e;
  for (test::deadline d{budget}; !e && !d.expired();) {
    auto next = events.next(d.remaining());
    if (next && next->kind == want)
      e = next;
  }
  ASSERT_TRUE(e.has_value()) << "no " << to_string(want) << " event";
  EXPECT_EQ(e->reason_code, event_reason::protocol) << e->reason;
  EXPECT_EQ(e->reason.find("cannot allocate"), std::string::npos) << e->reason;
  g.expect_flow("after");
  EXPECT_FALSE(pull.recv(20ms).has_value()) << "something of the bad peer arrived";
}

} // namespace
} // namespace cafmq
