#include "zmtp_push_peers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bench {
namespace {

// Greeting (64 bytes), READY with Socket-Type PUSH, then the message frame "x".
std::string handshake_bytes() {
  std::string greeting(64, '\0');
  greeting[0] = '\xff';
  greeting[9] = '\x7f';
  greeting[10] = 3;  // major
  greeting[11] = 1;  // minor
  std::memcpy(&greeting[12], "NULL", 4);
  const std::string name = "Socket-Type";
  const std::string value = "PUSH";
  std::string body;
  body += static_cast<char>(5);
  body += "READY";
  body += static_cast<char>(name.size());
  body += name;
  body += std::string{'\0', '\0', '\0', static_cast<char>(value.size())};
  body += value;
  std::string ready;
  ready += '\x04';  // command, short size
  ready += static_cast<char>(body.size());
  ready += body;
  return greeting + ready;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

bool read_exactly(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t k = ::recv(fd, p, n, 0);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

// Reads the server's 64-byte greeting and one command frame (its READY).
bool read_greeting_and_ready(int fd) {
  char greeting[64];
  if (!read_exactly(fd, greeting, sizeof greeting))
    return false;
  char header[2];
  if (!read_exactly(fd, header, sizeof header) || (header[0] & 0x04) == 0)
    return false;
  uint64_t size = static_cast<unsigned char>(header[1]);
  if ((header[0] & 0x02) != 0) {  // long size: 7 more bytes, big-endian
    char rest[7];
    if (!read_exactly(fd, rest, sizeof rest))
      return false;
    size = size << 56;
    for (int i = 0; i < 7; ++i)
      size |= static_cast<uint64_t>(static_cast<unsigned char>(rest[i])) << (8 * (6 - i));
  }
  if (size > 4096)
    return false;
  std::string body(size, '\0');
  return read_exactly(fd, body.data(), body.size());
}

} // namespace

std::string zmtp_push_peers::add(uint16_t port, size_t n, std::chrono::milliseconds deadline) {
  static const std::string hello = handshake_bytes();
  static const char message[] = {'\0', '\1', 'x'};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(deadline.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((deadline.count() % 1000) * 1000);
  // All of them connect and greet first, so the server handshakes them as a crowd.
  size_t first = fds_.size();
  for (size_t i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return std::string{"socket: "} + std::strerror(errno);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      std::string why = std::string{"connect: "} + std::strerror(errno);
      ::close(fd);
      return why;
    }
    fds_.push_back(fd);
    if (!write_all(fd, hello.data(), hello.size()))
      return std::string{"greeting: "} + std::strerror(errno);
  }
  for (size_t i = first; i < fds_.size(); ++i) {
    if (!read_greeting_and_ready(fds_[i]))
      return "the server's greeting or READY did not arrive";
    if (!write_all(fds_[i], message, sizeof message))
      return std::string{"message: "} + std::strerror(errno);
  }
  return {};
}

void zmtp_push_peers::close() noexcept {
  for (int fd : fds_)
    ::close(fd);
  fds_.clear();
}

} // namespace bench
