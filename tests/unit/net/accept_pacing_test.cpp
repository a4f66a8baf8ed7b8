// net::accept_pacing on a clock the test moves: descriptors or memory running out pause accepting
// with a back-off that doubles to a bound and starts over with the next episode; other failures
// go on at once; each episode is reported once, at most one report a second, and the failures of
// an episode that spacing left unreported are counted in the next report.
#include "net/accept_pacing.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace cafmq::net {
namespace {

using namespace std::chrono_literals;
using clock_type = accept_pacing::clock;

std::error_code os(int e) {
  return {e, std::system_category()};
}

TEST(AcceptPacing, ExhaustionErrorsPauseAndOthersDoNot) {
  for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM})
    EXPECT_TRUE(accept_pacing::exhausted(os(e))) << e;
  for (int e : {ECONNABORTED, EPROTO, EPERM, EINTR})
    EXPECT_FALSE(accept_pacing::exhausted(os(e))) << e;
  accept_pacing p;
  EXPECT_EQ(p.failed(os(ECONNABORTED), clock_type::time_point{}).pause, 0ms);
}

TEST(AcceptPacing, TheBackOffDoublesToOneSecondAndAnEpisodeIsReportedOnce) {
  accept_pacing p;
  clock_type::time_point now{};
  std::vector<std::chrono::milliseconds> pauses;
  int reports = 0;
  for (int i = 0; i < 12; ++i) {
    auto d = p.failed(os(EMFILE), now);
    pauses.push_back(d.pause);
    reports += d.report ? 1 : 0;
    now += d.pause;
  }
  std::vector<std::chrono::milliseconds> expected{10ms,  20ms,  40ms,   80ms,   160ms,  320ms,
                                                  640ms, 1000ms, 1000ms, 1000ms, 1000ms, 1000ms};
  EXPECT_EQ(pauses, expected);
  EXPECT_EQ(reports, 1);  // over 6 s of failures
  EXPECT_TRUE(p.in_episode());
  auto e = p.succeeded(now);
  EXPECT_EQ(e.failures, 12U);
  EXPECT_EQ(e.lasted, now - clock_type::time_point{});
  EXPECT_FALSE(p.in_episode());
  // The next episode starts over at 10 ms, and is reported (more than a second later).
  auto d = p.failed(os(ENFILE), now);
  EXPECT_EQ(d.pause, 10ms);
  EXPECT_TRUE(d.report);
  EXPECT_EQ(d.unreported, 0U);
}

TEST(AcceptPacing, AnAcceptThatWorksWithoutAnEpisodeEndsNothing) {
  accept_pacing p;
  EXPECT_EQ(p.succeeded(clock_type::time_point{}).failures, 0U);
}

TEST(AcceptPacing, EpisodesCloseTogetherAreCoalescedAndCountedInTheNextReport) {
  accept_pacing p;
  clock_type::time_point now{};
  EXPECT_TRUE(p.failed(os(ECONNABORTED), now).report);
  p.succeeded(now);
  // A failure per accept for half a second: no report, every failure counted.
  for (int i = 0; i < 500; ++i) {
    now += 1ms;
    EXPECT_FALSE(p.failed(os(ECONNABORTED), now).report);
    p.succeeded(now);
  }
  now += 600ms;  // more than a second after the last report
  auto d = p.failed(os(ECONNABORTED), now);
  EXPECT_TRUE(d.report);
  EXPECT_EQ(d.unreported, 500U);
}

TEST(AcceptPacing, AnEpisodeLeftUnreportedBySpacingIsReportedOnceSpacingAllows) {
  accept_pacing p;
  clock_type::time_point now{};
  EXPECT_TRUE(p.failed(os(EMFILE), now).report);
  p.succeeded(now);
  now += 100ms;
  EXPECT_FALSE(p.failed(os(EMFILE), now).report);  // 100 ms after the last report
  now += 1s;
  auto d = p.failed(os(EMFILE), now);  // the same episode, still unreported
  EXPECT_TRUE(d.report);
  EXPECT_EQ(d.unreported, 0U);  // its own failures are not "earlier" ones
  now += 1s;
  EXPECT_FALSE(p.failed(os(EMFILE), now).report);  // reported once
}

} // namespace
} // namespace cafmq::net
