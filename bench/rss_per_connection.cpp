// Memory per idle connection: one PULL socket (cafmq, then libzmq, in the same run) in a child
// process of its own, N peers connected, each handshaken and then idle. Prints the child's RSS
// growth per connection, what is left after the peers leave (each wave), and cafmq/libzmq.
//   bench_rss_per_connection [--peers 1000,10000] [--waves 2] [--settle-ms 500]
// The peers are libzmq PUSH sockets in this process, each sending one one-byte message, the
// same for both libraries; so the measured process holds only the server socket. The child reports each message it receives on a pipe; once all N
// arrived every connection is handshaken. RSS is VmRSS from /proc/<child>/status, read after
// --settle-ms. RLIMIT_NOFILE is raised to the hard limit on both sides.
#include "bench_util.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

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

// Soft limit to the hard one; as root (CAP_SYS_RESOURCE) both to 65536 if that is more: 10 000
// libzmq peers take two descriptors each (the connection and the socket's mailbox).
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

bool read_all(int fd, void* data, size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t k = ::read(fd, p, n);
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

// Connects `n` libzmq PUSH sockets (in this process's `ctx`) to 127.0.0.1:`port`, each sending one
// one-byte message; waits until the server has received all `n` (one byte each on `report`).
// Empty on failure.
std::vector<void*> connect_peers(void* ctx, uint16_t port, size_t n, int report) {
  std::string ep = "tcp://127.0.0.1:" + std::to_string(port);
  std::vector<void*> peers;
  constexpr size_t batch = 100;  // then wait for the server: the listen backlog stays short
  for (size_t done = 0; done < n;) {
    size_t upto = std::min(n, done + batch);
    for (size_t i = done; i < upto; ++i) {
      void* s = zmq_socket(ctx, ZMQ_PUSH);
      int linger = 0;
      if (s == nullptr || zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0
          || zmq_connect(s, ep.c_str()) != 0 || zmq_send(s, "x", 1, 0) != 1) {
        std::fprintf(stderr, "peer %zu: %s\n", i, zmq_strerror(zmq_errno()));
        for (void* p : peers)
          zmq_close(p);
        return {};
      }
      peers.push_back(s);
    }
    std::vector<char> got(upto - done);
    if (!read_all(report, got.data(), got.size())) {
      std::fprintf(stderr, "server stopped reporting\n");
      return {};
    }
    done = upto;
  }
  return peers;
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
  if (read_all(report[0], &port, sizeof port)) {
    std::this_thread::sleep_for(settle);
    size_t base = rss_kib(child);
    void* ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, static_cast<int>(n + 16));
    for (size_t w = 0; w < waves; ++w) {
      auto peers = connect_peers(ctx, port, n, report[0]);
      if (peers.empty())
        break;
      std::this_thread::sleep_for(settle);
      if (w == 0)
        r.per_connection_kib = (static_cast<double>(rss_kib(child)) - static_cast<double>(base))
                               / static_cast<double>(n);
      for (void* p : peers)
        zmq_close(p);
      // The server notices the closes, frees, and (cafmq) trims a second after the wave.
      std::this_thread::sleep_for(std::chrono::milliseconds(2500) + settle);
      r.after_waves.push_back(static_cast<double>(rss_kib(child)) - static_cast<double>(base));
    }
    zmq_ctx_term(ctx);
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
