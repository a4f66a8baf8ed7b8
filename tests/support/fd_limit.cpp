#include "support/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace cafmq::test {

size_t affordable_connections(size_t wanted) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return std::min<size_t>(wanted, 400);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  // 256 for the rest of the process (the context's threads, the test's own sockets).
  auto room = rl.rlim_cur > 512 ? (rl.rlim_cur - 256) / 2 : 128;
  return std::min<size_t>(wanted, room);
}

} // namespace cafmq::test
