// The engines' edges (net/engine_boundary): an exception never leaves an entry point but reaches
// the fault handler with its text; a failed read or write maps to its code by the error's value
// (EOF is io, a timeout is timeout, no buffer space is resource), never by its text.
#include "net/engine_boundary.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace cafmq::net {
namespace {

namespace asio = boost::asio;

TEST(EngineBoundary, AnExceptionReachesTheFaultHandlerWithItsText) {
  std::string fault;
  guarded([] { throw std::runtime_error("boom"); }, [&](const char* what) { fault = what; });
  EXPECT_EQ(fault, "boom");
  guarded([] { throw 42; }, [&](const char* what) { fault = what; });
  EXPECT_EQ(fault, "unknown exception");
}

TEST(EngineBoundary, NoExceptionNoFault) {
  bool ran = false;
  bool faulted = false;
  guarded([&] { ran = true; }, [&](const char*) { faulted = true; });
  EXPECT_TRUE(ran);
  EXPECT_FALSE(faulted);
}

TEST(EngineBoundary, EndOfFileIsIoClosedByPeer) {
  auto end = stream_end(asio::error::eof, "read failed");
  EXPECT_EQ(end.code, event_reason::io);
  EXPECT_FALSE(end.permanent);
  EXPECT_EQ(end.detail, "connection closed by peer");
}

TEST(EngineBoundary, OsErrorsMapByTheirValue) {
  EXPECT_EQ(stream_end(asio::error::connection_reset, "read failed").code, event_reason::io);
  EXPECT_EQ(stream_end(asio::error::broken_pipe, "write failed").code, event_reason::io);
  EXPECT_EQ(stream_end(asio::error::timed_out, "read failed").code, event_reason::timeout);
  EXPECT_EQ(stream_end(asio::error::no_buffer_space, "write failed").code,
            event_reason::resource);
  auto reset = stream_end(asio::error::connection_reset, "read failed");
  EXPECT_FALSE(reset.permanent);
  EXPECT_EQ(reset.detail.rfind("read failed: ", 0), 0u) << reset.detail;
}

TEST(EngineBoundary, ErrorsOfOtherCategoriesAreIo) {
  EXPECT_EQ(stream_end(asio::error::not_found, "read failed").code, event_reason::io);
}

} // namespace
} // namespace cafmq::net
