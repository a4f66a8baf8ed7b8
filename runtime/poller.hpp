// cafmq::poller: waits on several sockets and plain descriptors at once (libzmq's zmq_poller,
// cppzmq's poller_t), level-triggered, without a busy loop. docs/poller.md.
#pragma once

#include "core/poll_flags.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

namespace cafmq {

class socket;

/// A set of sockets and descriptors, each with an interest (poll_in, poll_out or both), and a
/// wait() that returns those ready for their interest. Level-triggered: an entry is reported on
/// every wait() while it is ready, so a loop may take one message per wake-up.
///
/// Built on each socket's readiness descriptor (socket::readiness_fd) and epoll: add() sets the
/// socket's descriptor interest to the poller's, so a socket belongs to one poller at a time
/// and its readiness_fd() is not used elsewhere meanwhile.
///
/// One thread: the poller and the sockets in it are used by the thread that calls wait() (the
/// sockets' own rule; a checked build throws errc::concurrent_use when another thread calls a
/// socket while wait() asks it).
///
/// A socket stays registered until remove(): remove it before closing, moving or destroying it.
/// A socket closed (or moved from) while registered, or whose context was terminated, makes
/// wait() throw errc::socket_closed naming the entry (as zmq_poll fails with ETERM); remove()
/// still works on it. Destroying a registered socket is undefined, like zmq_close before
/// zmq_poller_remove.
class poller {
public:
  /// One ready entry: a socket, or a descriptor added with add_fd().
  struct event {
    socket* sock = nullptr;  ///< the socket, or null for a descriptor entry
    int fd = -1;             ///< the descriptor entry's fd, or -1 for a socket
    poll_flags events = 0;   ///< what it is ready for, within its interest
  };

  /// Throws cafmq::error (errc::internal) if the system has no epoll instance to give.
  poller();
  ~poller();
  poller(const poller&) = delete;
  poller& operator=(const poller&) = delete;
  /// A moved-from poller throws errc::wrong_state on every call.
  poller(poller&&) noexcept;
  poller& operator=(poller&&) noexcept;

  /// Watches `s` for `interest` (poll_in, poll_out or both). Throws errc::invalid_argument for
  /// a socket already in the poller or an interest of 0 or with unknown bits, and
  /// errc::socket_closed for a closed socket.
  void add(socket& s, poll_flags interest);
  /// Changes the interest of a socket in the poller (errc::invalid_argument if it is not).
  void modify(socket& s, poll_flags interest);
  /// Stops watching `s` (errc::invalid_argument if it is not in the poller). Works on a socket
  /// that was closed or moved from since it was added.
  void remove(socket& s);

  /// Watches a descriptor the caller owns (a pipe, a TCP socket, an eventfd, a timerfd) for
  /// `interest`: poll_in when readable, poll_out when writable; an error or hang-up on it
  /// reports the whole interest, so the caller's read or write sees it. Throws
  /// errc::invalid_argument for a negative or unknown fd, one already in the poller (a socket's
  /// readiness descriptor included), one epoll cannot watch (a regular file), or a bad interest.
  /// Remove it before closing it.
  void add_fd(int fd, poll_flags interest);
  /// Changes the interest of a descriptor in the poller (errc::invalid_argument if it is not).
  void modify_fd(int fd, poll_flags interest);
  /// Stops watching `fd` (errc::invalid_argument if it is not in the poller).
  void remove_fd(int fd);

  /// Sockets and descriptors in the poller.
  size_t size() const;

  /// Waits up to `timeout` (0: only look; -1: for ever) until at least one entry is ready,
  /// then returns the ready entries in the order they were added (empty on timeout). Throws
  /// errc::invalid_argument for another negative timeout or for waiting for ever on an empty
  /// poller (it would never return), errc::socket_closed for a socket closed, moved from or
  /// with its context terminated.
  std::vector<event> wait(std::chrono::milliseconds timeout = std::chrono::milliseconds{-1});
  /// The same into `out` (cleared first), for loops that reuse its storage; returns its size.
  size_t wait(std::vector<event>& out,
              std::chrono::milliseconds timeout = std::chrono::milliseconds{-1});

private:
  struct impl;
  impl& live(const char* call) const;
  std::unique_ptr<impl> impl_;
};

} // namespace cafmq
