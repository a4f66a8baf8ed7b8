#include "stderr_line.hpp"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace cafmq::cli {

bool write_stderr_line(const std::string& line, std::chrono::milliseconds room) {
  auto deadline = std::chrono::steady_clock::now() + room;
  pollfd p{STDERR_FILENO, POLLOUT, 0};
  for (;;) {
    auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
    if (n > 0)
      break;
    if (n == 0 || errno != EINTR)
      return false;  // still full (or no stderr at all): dropped
  }
  // POLLOUT on a pipe means a free page, which takes a line of up to PIPE_BUF bytes whole; only
  // another writer taking that room in between could make this write wait.
  return ::write(STDERR_FILENO, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

} // namespace cafmq::cli
