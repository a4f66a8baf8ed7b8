// Private to net/: the descriptors the library opens are never inherited by a child process
// (libzmq's SOCK_CLOEXEC). Asio opens and accepts without the flag, so it is set right after.
#pragma once

#include <fcntl.h>

namespace cafmq::net {

/// Marks `fd` close-on-exec: a program the user starts with fork+exec (a test peer, a helper
/// tool) does not keep our listeners and connections open. A fork between the open and this
/// call can still inherit it: the window is one system call.
inline void keep_from_children(int fd) noexcept {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0)
    ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

} // namespace cafmq::net
