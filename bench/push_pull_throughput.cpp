// PUSH -> PULL throughput over TCP between two processes, cafmq next to libzmq (and raw TCP for
// large messages) in the same run. Prints each figure and the ratios.
//   bench_push_pull [--small-count N] [--large-count N] [--runs R] [--only cafmq|libzmq|raw]
// --only runs one implementation (for profiling); ratios need all three.
#include "peers.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string free_endpoint() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

// Runs the receiver in a child process and the sender here; returns messages per second.
double measure(bench::impl which, size_t size, size_t count) {
  auto ep = free_endpoint();
  int fds[2];
  if (pipe(fds) != 0)
    return 0;
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    double dt = bench::receive(which, ep, size, count);
    if (write(fds[1], &dt, sizeof dt) != sizeof dt)
      _exit(1);
    _exit(0);
  }
  close(fds[1]);
  bench::send(which, ep, size, count);
  double dt = 0;
  bool ok = read(fds[0], &dt, sizeof dt) == sizeof dt;
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!ok || dt <= 0) {
    std::fprintf(stderr, "%s: receiver failed\n", bench::name(which));
    return 0;
  }
  return static_cast<double>(count - 1) / dt;
}

double best_of(int runs, bench::impl which, size_t size, size_t count) {
  double best = 0;
  if (count < 2)
    return best;  // nothing to time: a count of 0 skips the figure
  for (int i = 0; i < runs; ++i)
    best = std::max(best, measure(which, size, count));
  return best;
}

size_t arg(int argc, char** argv, const char* flag, size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0)
      return std::strtoull(argv[i + 1], nullptr, 10);
  return fallback;
}

void report(const char* label, size_t size, double rate) {
  std::printf("  %-8s %8zu B  %10.3f M msg/s  %9.1f MB/s\n", label, size, rate / 1e6,
              rate * static_cast<double>(size) / 1e6);
}

} // namespace

const char* text_arg(int argc, char** argv, const char* flag, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0)
      return argv[i + 1];
  return fallback;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::puts("usage: bench_push_pull [--small-count N] [--large-count N] [--runs R] "
                "[--only cafmq|libzmq|raw]");
      return 0;
    }
  size_t small_count = arg(argc, argv, "--small-count", 10'000'000);
  size_t large_count = arg(argc, argv, "--large-count", 50'000);
  int runs = static_cast<int>(arg(argc, argv, "--runs", 3));
  std::string only = text_arg(argc, argv, "--only", "");
  auto wanted = [&](const char* n) { return only.empty() || only == n; };
  std::printf("PUSH/PULL throughput over TCP loopback, two processes, best of %d runs\n", runs);

  const size_t big = 64 * 1024;
  double z16 = 0, c16 = 0, t64 = 0, z64 = 0, c64 = 0;
  if (wanted("libzmq"))
    report("libzmq", 16, z16 = best_of(runs, bench::impl::libzmq, 16, small_count));
  if (wanted("cafmq"))
    report("cafmq", 16, c16 = best_of(runs, bench::impl::cafmq, 16, small_count));
  if (wanted("raw"))
    report("raw tcp", big, t64 = best_of(runs, bench::impl::raw_tcp, big, large_count));
  if (wanted("libzmq"))
    report("libzmq", big, z64 = best_of(runs, bench::impl::libzmq, big, large_count));
  if (wanted("cafmq"))
    report("cafmq", big, c64 = best_of(runs, bench::impl::cafmq, big, large_count));
  if (!only.empty())
    return 0;
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("ratios: 16 B cafmq/libzmq = %.2fx; 64 KiB cafmq/libzmq = %.2fx, "
              "cafmq/raw tcp = %.0f%%\n",
              ratio(c16, z16), ratio(c64, z64), 100.0 * ratio(c64, t64));
  return (c16 > 0 || small_count < 2) && (c64 > 0 || large_count < 2) ? 0 : 1;
}
