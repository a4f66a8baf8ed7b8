// Memory per idle connection: one PULL socket (cafmq, then libzmq, in the same run) in a child
// process of its own, N peers connected, each handshaken and then idle. Prints the child's RSS
// growth per connection, what is left after the peers leave (each wave), and cafmq/libzmq.
//   bench_rss_per_connection [--peers 1000,10000] [--waves 2] [--settle-ms 500]
// The peers live in this process, the same for both libraries, so the measured process holds
// only the server socket: plain TCP connections speaking ZMTP 3.1 by hand (zmtp_push_peers), one
// descriptor each, each sending one one-byte message. The child reports each message it receives
// on a pipe; once all N arrived every connection is handshaken. RSS is VmRSS from
// /proc/<child>/status, read after --settle-ms. RLIMIT_NOFILE is raised to the hard limit on
// both sides; a size that needs more descriptors than that is skipped, saying so.
#include "bench_util.hpp"
#include "zmtp_push_peers.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

enum class impl { cafmq, libzmq };

const char* name_of(impl which) {
  return which == impl::cafmq ? "cafmq" : "libzmq";
}

// Soft limit to the hard one; with CAP_SYS_RESOURCE both to 65536 if that is more.
void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0)
    return;
  constexpr rlim_t wanted = 65536;
  if (r.rlim_max < wanted) {
    rlimit more{wanted, wanted};
    if (setrlimit(RLIMIT_NOFILE, &more) == 0)
      return;
  }
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
}

// The soft limit on descriptors (after raise_fd_limit: the most this process can have).
size_t fd_limit() {
  rlimit r{};
  return getrlimit(RLIMIT_NOFILE, &r) == 0 ? static_cast<size_t>(r.rlim_cur) : 0;
}

// VmRSS of `pid` in KiB (0 if it cannot be read).
size_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoul(line.substr(6));
  return 0;
}

bool write_all(int fd, const void* data, size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t k = ::write(fd, p, n);
    if (k <= 0)
      return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

// The server child: binds a PULL on a free loopback port, writes the port to `report`, then one
// byte to `report` per message received; exits when `control` closes.
[[noreturn]] void serve(impl which, int report, int control) {
  raise_fd_limit();
  // Receives on a thread while the main thread waits for the parent to close `control`.
  if (which == impl::cafmq) {
    cafmq::context ctx;
    cafmq::socket pull{ctx, cafmq::socket_type::pull};
    pull.bind("tcp://127.0.0.1:*");
    auto ep = pull.last_endpoint();
    uint16_t port = static_cast<uint16_t>(std::stoi(ep.substr(ep.rfind(':') + 1)));
    write_all(report, &port, sizeof port);
    std::thread receiver([&] {
      while (pull.recv().has_value())
        if (!write_all(report, "m", 1))
          return;
    });
    char c = 0;
    while (::read(control, &c, 1) > 0) {
    }
    ::_exit(0);  // the peers are gone; no need to tear down 10 000 connections politely
  }
  void* ctx = zmq_ctx_new();
  void* pull = zmq_socket(ctx, ZMQ_PULL);
  zmq_bind(pull, "tcp://127.0.0.1:*");
  char ep[256] = {};
  size_t len = sizeof ep;
  zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len);
  std::string e{ep};
  uint16_t port = static_cast<uint16_t>(std::stoi(e.substr(e.rfind(':') + 1)));
  write_all(report, &port, sizeof port);
  std::thread receiver([&] {
    char buf[64];
    while (zmq_recv(pull, buf, sizeof buf, 0) >= 0)
      if (!write_all(report, "m", 1))
        return;
  });
  char c = 0;
  while (::read(control, &c, 1) > 0) {
  }
  ::_exit(0);
}

// Reads `n` bytes from `fd`, waiting at most `deadline` for each to come; false on end of file,
// error or timeout.
bool read_within(int fd, void* data, size_t n, std::chrono::milliseconds deadline) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(deadline.count())) <= 0)
      return false;
    ssize_t k = ::read(fd, p, n);
    if (k <= 0)
      return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

constexpr std::chrono::milliseconds peer_deadline{30000};

// Connects `n` peers to 127.0.0.1:`port` in batches, waiting after each until the server has
// received the batch's messages (one byte each on `report`). False, saying why, on failure.
bool connect_peers(bench::zmtp_push_peers& peers, uint16_t port, size_t n, int report) {
  constexpr size_t batch = 100;  // then wait for the server: the listen backlog stays short
  for (size_t done = 0; done < n;) {
    size_t upto = std::min(n, done + batch);
    auto failed = peers.add(port, upto - done, peer_deadline);
    if (!failed.empty()) {
      std::fprintf(stderr, "peer %zu of %zu: %s\n", peers.size(), n, failed.c_str());
      return false;
    }
    std::vector<char> got(upto - done);
    if (!read_within(report, got.data(), got.size(), peer_deadline)) {
      std::fprintf(stderr, "the server stopped reporting after %zu of %zu messages\n", done, n);
      return false;
    }
    done = upto;
  }
  return true;
}

struct result {
  double per_connection_kib = 0;     // RSS growth per handshaken idle connection
  std::vector<double> after_waves;   // RSS above the start once each wave left, KiB
};

result measure(impl which, size_t n, size_t waves, std::chrono::milliseconds settle) {
  result r;
  int report[2];
  int control[2];
  if (::pipe(report) != 0 || ::pipe(control) != 0)
    return r;
  pid_t child = ::fork();
  if (child == 0) {
    ::close(report[0]);
    ::close(control[1]);
    serve(which, report[1], control[0]);
  }
  ::close(report[1]);
  ::close(control[0]);
  uint16_t port = 0;
  if (read_within(report[0], &port, sizeof port, peer_deadline)) {
    std::this_thread::sleep_for(settle);
    size_t base = rss_kib(child);
    for (size_t w = 0; w < waves; ++w) {
      bench::zmtp_push_peers peers;
      if (!connect_peers(peers, port, n, report[0]))
        break;
      std::this_thread::sleep_for(settle);
      if (w == 0)
        r.per_connection_kib = (static_cast<double>(rss_kib(child)) - static_cast<double>(base))
                               / static_cast<double>(n);
      peers.close();
      // The server notices the closes, frees, and (cafmq) trims a second after the wave.
      std::this_thread::sleep_for(std::chrono::milliseconds(2500) + settle);
      r.after_waves.push_back(static_cast<double>(rss_kib(child)) - static_cast<double>(base));
    }
  }
  ::close(control[1]);
  ::close(report[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return r;
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("bench_rss_per_connection [--peers 1000,10000] [--waves 2] [--settle-ms 500]");
    return 0;
  }
  auto peers = bench::size_list_arg(argc, argv, "--peers", {1000, 10000});
  size_t waves = bench::size_arg(argc, argv, "--waves", 2);
  std::chrono::milliseconds settle{bench::size_arg(argc, argv, "--settle-ms", 500)};
  raise_fd_limit();
  std::printf("RSS of one PULL socket's process per idle handshaken connection (KiB), and what\n"
              "stays above its start after each wave of peers leaves (MiB)\n");
  for (size_t n : peers) {
    // A peer and its connection each take a descriptor, on either side of the fork.
    if (n + 64 > fd_limit()) {
      std::printf("%6zu peers  skipped: needs %zu descriptors, the limit is %zu\n", n, n + 64,
                  fd_limit());
      continue;
    }
    result got[2];
    for (impl which : {impl::cafmq, impl::libzmq}) {
      auto& r = got[which == impl::cafmq ? 0 : 1];
      r = measure(which, n, waves, settle);
      std::printf("%6zu peers  %-6s  %7.1f KiB/connection", n, name_of(which), r.per_connection_kib);
      for (size_t w = 0; w < r.after_waves.size(); ++w)
        std::printf("  after wave %zu: %6.1f MiB", w + 1, r.after_waves[w] / 1024.0);
      std::printf("\n");
    }
    if (got[1].per_connection_kib > 0)
      std::printf("%6zu peers  cafmq/libzmq per connection: %.2f (goal <= 1.0)\n", n,
                  got[0].per_connection_kib / got[1].per_connection_kib);
    std::fflush(stdout);
  }
  return 0;
}
