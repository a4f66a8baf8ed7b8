// Non-blocking POSIX sockets driven by poll(2), so no call here can outlive its deadline.
#include "support/raw_tcp.hpp"

#include "support/deadline.hpp"
#include "support/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cafmq::test {

namespace {

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Waits for `events` on `fd` until `d`; true when ready (or the socket has an error/hang-up).
bool wait_fd(int fd, short events, const deadline& d) {
  for (;;) {
    pollfd p{fd, events, 0};
    auto left = static_cast<int>(d.remaining().count());
    int rc = ::poll(&p, 1, left);
    if (rc > 0)
      return true;
    if (rc == 0)
      return false;
    if (errno != EINTR)
      return false;
  }
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

} // namespace

raw_client raw_client::connect(uint16_t port, std::chrono::milliseconds timeout) {
  deadline d{timeout};
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    fail("socket");
  raw_client c{fd};
  set_nonblocking(fd);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto addr = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS)
      fail("connect to port " + std::to_string(port));
    if (!wait_fd(fd, POLLOUT, d))
      throw std::runtime_error("connect to port " + std::to_string(port) + " timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      fail("connect to port " + std::to_string(port));
    }
  }
  return c;
}

raw_client raw_client::connect(const std::string& endpoint, std::chrono::milliseconds timeout) {
  return connect(port_of(endpoint), timeout);
}

raw_client::raw_client(raw_client&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

raw_client& raw_client::operator=(raw_client&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

raw_client::~raw_client() {
  close();
}

void raw_client::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

bool raw_client::send_all(const std::string& data) {
  return send_all(bytes(data.begin(), data.end()));
}

bool raw_client::send_all(const bytes& data) {
  deadline d{std::chrono::seconds(10)};
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_fd(fd_, POLLOUT, d))
        return false;
      continue;
    }
    return false;  // EPIPE, ECONNRESET...
  }
  return true;
}

read_result raw_client::read_exact(size_t n, std::chrono::milliseconds timeout) {
  deadline d{timeout};
  read_result r;
  r.data.reserve(n);
  uint8_t buf[65536];
  while (r.data.size() < n) {
    size_t want = std::min(sizeof buf, n - r.data.size());
    auto got = ::recv(fd_, buf, want, 0);
    if (got > 0) {
      r.data.insert(r.data.end(), buf, buf + got);
      continue;
    }
    if (got == 0) {
      r.status = read_status::closed;
      return r;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait_fd(fd_, POLLIN, d)) {
        r.status = read_status::timeout;
        return r;
      }
      continue;
    }
    r.status = read_status::closed;  // ECONNRESET and friends: the peer is gone
    return r;
  }
  r.status = read_status::ok;
  return r;
}

bool raw_client::wait_closed(std::chrono::milliseconds timeout, bytes* seen) {
  deadline d{timeout};
  uint8_t buf[65536];
  for (;;) {
    auto got = ::recv(fd_, buf, sizeof buf, 0);
    if (got > 0) {
      if (seen)
        seen->insert(seen->end(), buf, buf + got);
      continue;
    }
    if (got == 0)
      return true;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait_fd(fd_, POLLIN, d))
        return false;
      continue;
    }
    return true;
  }
}

raw_listener::raw_listener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    fail("socket");
  auto addr = loopback(0);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    fail("bind");
  if (::listen(fd_, 16) != 0)
    fail("listen");
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  set_nonblocking(fd_);
}

raw_listener::~raw_listener() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::string raw_listener::endpoint() const {
  return local_endpoint(port_);
}

raw_client raw_listener::accept(std::chrono::milliseconds timeout) {
  deadline d{timeout};
  for (;;) {
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      set_nonblocking(fd);
      return raw_client{fd};
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      fail("accept");
    if (!wait_fd(fd_, POLLIN, d))
      throw std::runtime_error("no connection accepted within the deadline");
  }
}

} // namespace cafmq::test
