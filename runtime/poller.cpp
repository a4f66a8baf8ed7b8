// The poller: an epoll set over the sockets' readiness descriptors and the caller's own
// descriptors. A socket's descriptor only says "look": wait() asks the socket (events()) and
// reports what it confirms, so a wake-up for a message the socket will not hand out (filtered,
// stale) is never reported and lowers the descriptor, and the wait goes on.
#include "runtime/poller.hpp"

#include "runtime/core/error.hpp"
#include "runtime/socket.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

namespace cafmq {

namespace {

using clock = std::chrono::steady_clock;

// Timeouts past this wait for ever (a deadline that far would overflow the clock).
constexpr auto longest_wait = std::chrono::hours(24 * 365 * 100);

void check_interest(const char* call, poll_flags interest) {
  if (interest == 0 || (interest & ~(poll_in | poll_out)) != 0)
    throw error{errc::invalid_argument, std::string("poller::") + call + ": the interest must be "
                                          "poll_in, poll_out or both, not " + std::to_string(interest)};
}

uint32_t epoll_events_of(poll_flags interest) {
  uint32_t ev = 0;
  if ((interest & poll_in) != 0)
    ev |= EPOLLIN;
  if ((interest & poll_out) != 0)
    ev |= EPOLLOUT;
  return ev;
}

// A descriptor's readiness as poll_flags: an error or hang-up reports the whole interest, so
// the caller's read or write meets it (poll() reports POLLERR/POLLHUP whatever was asked).
poll_flags flags_of(uint32_t revents, poll_flags interest) {
  if ((revents & (EPOLLERR | EPOLLHUP)) != 0)
    return interest;
  poll_flags ready = 0;
  if ((revents & EPOLLIN) != 0)
    ready |= poll_in;
  if ((revents & EPOLLOUT) != 0)
    ready |= poll_out;
  return ready & interest;
}

// Milliseconds until `deadline` for epoll_wait, rounded up (a wait never ends early); -1 for
// clock::time_point::max() (for ever).
int ms_until(clock::time_point deadline) {
  if (deadline == clock::time_point::max())
    return -1;
  auto left = deadline - clock::now();
  if (left <= clock::duration::zero())
    return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

} // namespace

struct poller::impl {
  struct entry {
    socket* sock;          // null for a descriptor entry
    int fd;                // what epoll watches: the socket's readiness descriptor, or the fd
    poll_flags interest;
    poll_flags ready = 0;  // this wait's finding
  };

  int epoll_fd = -1;
  std::vector<entry> entries;
  std::vector<epoll_event> fired;  // epoll_wait's buffer, one slot per entry

  impl() : epoll_fd(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_fd < 0)
      throw error{errc::internal, std::string("poller: epoll_create1: ") + std::strerror(errno)};
  }
  ~impl() { ::close(epoll_fd); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  entry* find_socket(const socket& s) {
    auto it = std::find_if(entries.begin(), entries.end(), [&](auto& e) { return e.sock == &s; });
    return it == entries.end() ? nullptr : &*it;
  }
  entry* find_fd(int fd) {
    auto it = std::find_if(entries.begin(), entries.end(), [&](auto& e) { return e.fd == fd; });
    return it == entries.end() ? nullptr : &*it;
  }
  entry& socket_entry(const char* call, const socket& s) {
    if (auto* e = find_socket(s))
      return *e;
    throw error{errc::invalid_argument, std::string("poller::") + call + ": the "
                                          + std::string(zmtp_name(s.type()))
                                          + " socket is not in the poller"};
  }
  entry& fd_entry(const char* call, int fd) {
    auto* e = find_fd(fd);
    if (e != nullptr && e->sock == nullptr)
      return *e;
    throw error{errc::invalid_argument, std::string("poller::") + call + ": descriptor "
                                          + std::to_string(fd) + " is not in the poller (add_fd)"};
  }

  int control(int op, int fd, uint32_t events) const {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    return ::epoll_ctl(epoll_fd, op, fd, &ev);
  }

  void append(entry e) {
    entries.push_back(e);
    fired.resize(entries.size());
  }
  void erase(const entry& e) {
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, e.fd, nullptr);  // fails only if the fd is gone already
    entries.erase(entries.begin() + (&e - entries.data()));
    fired.resize(std::max<size_t>(entries.size(), 1));
  }

  // What the socket confirms, within its interest. A closed or moved-from socket, or one whose
  // context is terminated, fails the wait with a message that names it.
  poll_flags ask(const entry& e) {
    try {
      return e.sock->events() & e.interest;
    } catch (const error& err) {
      if (err.code() != errc::socket_closed)
        throw;
      auto index = static_cast<size_t>(&e - entries.data());
      throw error{errc::socket_closed,
                  "poller::wait: the " + std::string(zmtp_name(e.sock->type())) + " socket added as entry "
                    + std::to_string(index) + " cannot be polled: " + err.what()
                    + " (remove it from the poller before closing or moving it)"};
    }
  }

  // Asks every socket; true if any is ready.
  bool ask_sockets() {
    bool any = false;
    for (auto& e : entries) {
      e.ready = e.sock != nullptr ? ask(e) : 0;
      any = any || e.ready != 0;
    }
    return any;
  }

  // One epoll_wait of up to `wait_ms`; records what fired (a socket's only once it confirms).
  // True if any entry is ready now.
  bool collect(int wait_ms) {
    int n = ::epoll_wait(epoll_fd, fired.data(), static_cast<int>(fired.size()), wait_ms);
    if (n < 0) {
      if (errno == EINTR)
        return false;  // a signal: the caller waits again for what is left
      throw error{errc::internal, std::string("poller::wait: epoll_wait: ") + std::strerror(errno)};
    }
    bool any = false;
    for (int i = 0; i < n; ++i) {
      auto* e = find_fd(fired[static_cast<size_t>(i)].data.fd);
      if (e == nullptr)
        continue;
      if (e->sock == nullptr)
        e->ready = flags_of(fired[static_cast<size_t>(i)].events, e->interest);
      else if (e->ready == 0)
        e->ready = ask(*e);  // asked before the wait and found not ready: ask again
      any = any || e->ready != 0;
    }
    return any;
  }
};

poller::poller() : impl_(std::make_unique<impl>()) {
  impl_->fired.resize(1);
}

poller::~poller() = default;
poller::poller(poller&&) noexcept = default;
poller& poller::operator=(poller&&) noexcept = default;

poller::impl& poller::live(const char* call) const {
  if (!impl_)
    throw error{errc::wrong_state, std::string("poller::") + call + ": this poller was moved from"};
  return *impl_;
}

void poller::add(socket& s, poll_flags interest) {
  auto& im = live("add");
  check_interest("add", interest);
  if (im.find_socket(s) != nullptr)
    throw error{errc::invalid_argument, "poller::add: the " + std::string(zmtp_name(s.type()))
                                          + " socket is in the poller already (use modify)"};
  int fd = s.readiness_fd(interest);
  if (im.find_fd(fd) != nullptr)
    throw error{errc::invalid_argument, "poller::add: the socket's readiness descriptor "
                                          + std::to_string(fd) + " is in the poller already "
                                          "as a descriptor entry (add_fd)"};
  if (im.control(EPOLL_CTL_ADD, fd, EPOLLIN) != 0)
    throw error{errc::internal, std::string("poller::add: epoll_ctl: ") + std::strerror(errno)};
  im.append({&s, fd, interest});
}

void poller::modify(socket& s, poll_flags interest) {
  auto& im = live("modify");
  check_interest("modify", interest);
  auto& e = im.socket_entry("modify", s);
  s.readiness_fd(interest);  // the descriptor now follows the new interest
  e.interest = interest;
}

void poller::remove(socket& s) {
  auto& im = live("remove");
  im.erase(im.socket_entry("remove", s));
}

void poller::add_fd(int fd, poll_flags interest) {
  auto& im = live("add_fd");
  check_interest("add_fd", interest);
  if (fd < 0)
    throw error{errc::invalid_argument, "poller::add_fd: " + std::to_string(fd)
                                          + " is not a descriptor"};
  if (im.find_fd(fd) != nullptr)
    throw error{errc::invalid_argument, "poller::add_fd: descriptor " + std::to_string(fd)
                                          + " is in the poller already (use modify_fd; a "
                                          "socket's readiness descriptor is added by add)"};
  if (im.control(EPOLL_CTL_ADD, fd, epoll_events_of(interest)) != 0) {
    int why = errno;
    std::string reason = why == EBADF   ? "it is not an open descriptor"
                         : why == EPERM ? "epoll cannot watch it (a regular file or directory?)"
                                        : std::strerror(why);
    throw error{errc::invalid_argument, "poller::add_fd: descriptor " + std::to_string(fd)
                                          + ": " + reason};
  }
  im.append({nullptr, fd, interest});
}

void poller::modify_fd(int fd, poll_flags interest) {
  auto& im = live("modify_fd");
  check_interest("modify_fd", interest);
  auto& e = im.fd_entry("modify_fd", fd);
  if (im.control(EPOLL_CTL_MOD, fd, epoll_events_of(interest)) != 0)
    throw error{errc::invalid_argument, "poller::modify_fd: descriptor " + std::to_string(fd)
                                          + ": " + std::strerror(errno)
                                          + " (was it closed before remove_fd?)"};
  e.interest = interest;
}

void poller::remove_fd(int fd) {
  auto& im = live("remove_fd");
  im.erase(im.fd_entry("remove_fd", fd));
}

size_t poller::size() const {
  return live("size").entries.size();
}

std::vector<poller::event> poller::wait(std::chrono::milliseconds timeout) {
  std::vector<event> out;
  wait(out, timeout);
  return out;
}

// Asks the sockets first (a message may be waiting already, with its descriptor raised or
// not), then sleeps in epoll_wait for what is left of the timeout, asking again each socket
// whose descriptor fired; a wake-up the socket does not confirm lowers its descriptor, and
// the sleep goes on.
size_t poller::wait(std::vector<event>& out, std::chrono::milliseconds timeout) {
  auto& im = live("wait");
  out.clear();
  if (timeout.count() < -1)
    throw error{errc::invalid_argument, "poller::wait: the timeout must be -1 (for ever), 0 or "
                                          "positive, not " + std::to_string(timeout.count()) + " ms"};
  if (timeout.count() == -1 && im.entries.empty())
    throw error{errc::invalid_argument, "poller::wait: the poller is empty and the timeout is "
                                          "-1: the wait would never end"};
  auto deadline = timeout.count() == -1 || timeout > longest_wait ? clock::time_point::max()
                                                                  : clock::now() + timeout;
  bool ready = im.ask_sockets();
  for (;;) {
    int wait_ms = ready ? 0 : ms_until(deadline);
    ready = im.collect(wait_ms) || ready;
    if (ready || wait_ms == 0)
      break;
  }
  for (auto& e : im.entries)
    if (e.ready != 0)
      out.push_back({e.sock, e.sock != nullptr ? -1 : e.fd, e.ready});
  return out.size();
}

} // namespace cafmq
