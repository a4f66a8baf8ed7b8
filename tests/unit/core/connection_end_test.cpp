// connection_end: OS errors map by errno value, peer bytes are escaped, log
// levels per code.
#include "runtime/core/connection_end.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <future>

namespace cafmq {
namespace {

TEST(ConnectionEnd, OsErrorsMapByValueNotText) {
  auto sys = [](int e) { return std::error_code(e, std::system_category()); };
  EXPECT_EQ(reason_of(sys(ECONNREFUSED)), event_reason::refused);
  EXPECT_EQ(reason_of(sys(EHOSTUNREACH)), event_reason::unreachable);
  EXPECT_EQ(reason_of(sys(ENETUNREACH)), event_reason::unreachable);
  EXPECT_EQ(reason_of(sys(ETIMEDOUT)), event_reason::timeout);
  EXPECT_EQ(reason_of(sys(EMFILE)), event_reason::resource);
  EXPECT_EQ(reason_of(sys(ECONNRESET)), event_reason::io);
  EXPECT_EQ(reason_of(std::make_error_code(std::errc::connection_refused)), event_reason::refused);
  // Another category's value 111 is not ECONNREFUSED.
  EXPECT_EQ(reason_of(std::make_error_code(std::future_errc::broken_promise)), event_reason::io);
  auto end = os_end(sys(ECONNREFUSED), "connect to tcp://127.0.0.1:1");
  EXPECT_EQ(end.code, event_reason::refused);
  EXPECT_FALSE(end.permanent);
  EXPECT_EQ(end.detail.rfind("connect to tcp://127.0.0.1:1: ", 0), 0u) << end.detail;
}

TEST(ConnectionEnd, PeerBytesAreQuotedAndEscaped) {
  EXPECT_EQ(peer_text("ZAP"), "\"ZAP\"");
  EXPECT_EQ(peer_text(std::string("a\"b\n\0", 5)), "\"a\\x22b\\x0a\\x00\"");
  EXPECT_EQ(peer_text(std::string(100, 'x'), 4), "\"xxxx...\"");
}

TEST(ConnectionEnd, Constructors) {
  auto t = transient_end(event_reason::timeout, "slow");
  EXPECT_EQ(t.code, event_reason::timeout);
  EXPECT_FALSE(t.permanent);
  auto p = permanent_end(event_reason::protocol, "bad");
  EXPECT_TRUE(p.permanent);
  EXPECT_EQ(p.detail, "bad");
}

// Ordinary endings are info, what a peer, the configuration or cafmq itself got
// wrong is warn (docs/monitoring.md, Logging).
TEST(ConnectionEnd, LogLevels) {
  for (auto code : {event_reason::none, event_reason::io, event_reason::refused,
                    event_reason::unreachable, event_reason::timeout, event_reason::local,
                    event_reason::resource, event_reason::stop_condition})
    EXPECT_EQ(log_level_of(code), log::level::info) << to_string(code);
  for (auto code : {event_reason::protocol, event_reason::auth, event_reason::mechanism_mismatch,
                    event_reason::incompatible_socket_type, event_reason::peer_error,
                    event_reason::gave_up, event_reason::restart_intensity, event_reason::internal})
    EXPECT_EQ(log_level_of(code), log::level::warn) << to_string(code);
}

} // namespace
} // namespace cafmq
