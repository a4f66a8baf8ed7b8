// Running an io_context in the Asio face's tests: until a condition holds or a deadline passes,
// never longer (a test that would hang fails instead).
#pragma once

#include "support/deadline.hpp"

#include <boost/asio/io_context.hpp>

namespace cafmq::test {

/// Runs `io` (restarting it when it runs out of work) until `done()` or `budget` passes; returns
/// done().
template <class Condition>
bool run_until(boost::asio::io_context& io, Condition&& done, milliseconds budget) {
  deadline d{budget};
  while (!done() && !d.expired()) {
    if (io.stopped())
      io.restart();
    io.run_for(std::min(d.remaining(), milliseconds{20}));
  }
  return done();
}

} // namespace cafmq::test
