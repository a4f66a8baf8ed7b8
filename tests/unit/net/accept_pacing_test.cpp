// net::accept_pacing on a clock the test moves: descriptors or memory running out, or failures in
// a row of any kind, pause accepting with a back-off that doubles to a bound and starts over once
// an accept works; an occasional other failure goes on at once; an episode lasts until accepts
// have worked for a quiet period, and is reported once.
#include "net/accept_pacing.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

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
  EXPECT_TRUE(p.in_episode(now));
  auto e = p.succeeded(now);
  EXPECT_EQ(e.failures, 12U);
  EXPECT_EQ(e.lasted, now - clock_type::time_point{});
  EXPECT_EQ(p.succeeded(now).failures, 0U);  // said once
  auto last_failure = now - 1000ms;           // the last pause was 1 s
  EXPECT_TRUE(p.in_episode(last_failure + 999ms));
  EXPECT_FALSE(p.in_episode(last_failure + accept_pacing::quiet_period));
  // The next episode starts over at 10 ms, and is reported.
  auto d = p.failed(os(ENFILE), now);
  EXPECT_EQ(d.pause, 10ms);
  EXPECT_TRUE(d.report);
}

TEST(AcceptPacing, AnAcceptThatWorksWithoutAnEpisodeEndsNothing) {
  accept_pacing p;
  EXPECT_EQ(p.succeeded(clock_type::time_point{}).failures, 0U);
  EXPECT_FALSE(p.in_episode(clock_type::time_point{}));
}

TEST(AcceptPacing, AcceptsThatFailAndWorkByTurnsAtTheLimitAreOneEpisodeReportedOnce) {
  accept_pacing p;
  clock_type::time_point now{};
  int reports = 0;
  for (int i = 0; i < 60; ++i) {  // 30 s of churn: a failure, then a connection, every 500 ms
    auto d = p.failed(os(EMFILE), now);
    reports += d.report ? 1 : 0;
    EXPECT_EQ(d.pause, 10ms) << i;  // the back-off starts over after each accept that works
    p.succeeded(now + 10ms);
    now += 500ms;
  }
  EXPECT_EQ(reports, 1);
  // Quiet for a whole period: the next failure is a new episode, reported.
  now += accept_pacing::quiet_period;
  EXPECT_TRUE(p.failed(os(EMFILE), now).report);
}

TEST(AcceptPacing, AFailureBeforeAnyAcceptWorksKeepsTheEpisodeHoweverLate) {
  accept_pacing p;
  clock_type::time_point now{};
  EXPECT_TRUE(p.failed(os(ECONNABORTED), now).report);
  now += 10s;  // no accept worked meanwhile
  EXPECT_FALSE(p.failed(os(ECONNABORTED), now).report);
}

TEST(AcceptPacing, FailuresInARowOfAnyKindPauseWithTheBoundedBackOff) {
  accept_pacing p;
  clock_type::time_point now{};
  std::vector<std::chrono::milliseconds> pauses;
  for (uint64_t i = 0; i < accept_pacing::persistent_failures + 8; ++i)
    pauses.push_back(p.failed(os(EPERM), now).pause);
  for (uint64_t i = 0; i + 1 < accept_pacing::persistent_failures; ++i)
    EXPECT_EQ(pauses[i], 0ms) << i;  // occasional failures go on at once
  EXPECT_EQ(pauses[accept_pacing::persistent_failures - 1], 10ms);
  EXPECT_EQ(pauses.back(), accept_pacing::longest_pause);
  p.succeeded(now);
  EXPECT_EQ(p.failed(os(EPERM), now).pause, 0ms);  // an accept worked: the count starts over
}

} // namespace
} // namespace cafmq::net
