// Port selection by probing with a real bind(), and kernel buffer limits from /proc.
#include "support/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace cafmq::test {

namespace {

bool can_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
            && ::listen(fd, 1) == 0;
  ::close(fd);
  return ok;
}

long read_long(const char* path, int index, long fallback) {
  std::ifstream in{path};
  long v = fallback;
  for (int i = 0; i <= index; ++i)
    if (!(in >> v))
      return fallback;
  return v;
}

} // namespace

uint16_t free_tcp_port() {
  long low = read_long("/proc/sys/net/ipv4/ip_local_port_range", 0, 32768);
  long lo = 20000;
  long hi = low - 1;
  if (hi <= lo + 100) {  // unusual range: fall back to a band above it
    lo = 61000;
    hi = 64999;
  }
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<long> pick{lo, hi};
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<uint16_t>(pick(rng));
    if (can_bind(port))
      return port;
  }
  throw std::runtime_error("no free TCP port found below the ephemeral range");
}

std::string local_endpoint(uint16_t port) {
  return "tcp://127.0.0.1:" + std::to_string(port);
}

uint16_t port_of(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos)
    return 0;
  try {
    return static_cast<uint16_t>(std::stoul(endpoint.substr(colon + 1)));
  } catch (...) {
    return 0;
  }
}

size_t max_tcp_buffering() {
  long w = read_long("/proc/sys/net/ipv4/tcp_wmem", 2, 4 << 20);
  long r = read_long("/proc/sys/net/ipv4/tcp_rmem", 2, 6 << 20);
  return static_cast<size_t>(w + r);
}

} // namespace cafmq::test
