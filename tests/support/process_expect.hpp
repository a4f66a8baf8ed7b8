// GoogleTest checks on a finished child process (support/child_process.hpp).
#pragma once

#include "support/child_process.hpp"

#include <gtest/gtest.h>

namespace cafmq::test {

/// The child exited by itself with status 0; `who` names it in the failure message.
inline void expect_success(const process_result& r, const char* who) {
  EXPECT_FALSE(r.timed_out) << who << ": " << r.describe();
  EXPECT_EQ(r.exit_code, 0) << who << ": " << r.describe();
}

} // namespace cafmq::test
