// cafmq_soak: runs the soak workloads (soak_workloads.hpp) for a while and prints, every
// interval, the process's resident memory, open file descriptors and each workload's rate.
// Exits 1 if a workload broke a promise, stalled for a whole interval, or if memory or
// descriptors grew beyond the bounds below; scripts/soak.sh runs it.
//
//   cafmq_soak [--seconds N (600)] [--interval N (10)] [--only push/pull|pub/sub|req/rep|router/dealer]
#include "soak/soak_workloads.hpp"

#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

using namespace std::chrono_literals;

double rss_mib() {
  std::ifstream statm{"/proc/self/statm"};
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

// Bytes the allocator has handed out and not had back (every arena, mmapped blocks included).
// A leak grows this; RSS also grows with fragmentation the allocator keeps (see the bounds).
double heap_mib() {
  struct mallinfo2 m = mallinfo2();
  return static_cast<double>(m.uordblks + m.hblkhd) / (1 << 20);
}

int open_fds() {
  int n = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(dir))
      n += e->d_name[0] != '.';
    closedir(dir);
  }
  return n - 1;  // the directory stream's own descriptor
}

const char* argument(int argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return nullptr;
}

int argument(int argc, char** argv, const char* name, int fallback) {
  const char* value = argument(argc, argv, name);
  return value != nullptr ? std::atoi(value) : fallback;
}

} // namespace

int main(int argc, char** argv) {
  int seconds = argument(argc, argv, "--seconds", 600);
  int interval = argument(argc, argv, "--interval", 10);
  if (seconds <= 0 || interval <= 0 || interval > seconds) {
    std::fprintf(stderr, "usage: cafmq_soak [--seconds N] [--interval N <= seconds] [--only NAME]\n");
    return 2;
  }
  std::atomic<bool> running{true};
  cafmq::context ctx;
  const char* only = argument(argc, argv, "--only");
  cafmq::soak::workloads work{ctx, running, only != nullptr ? only : ""};
  auto all = work.all();
  std::vector<uint64_t> last(all.size(), 0);
  // Bounds, against the first sample (warmed up): leaks show as steady growth under churn. The
  // heap in use is the leak detector; RSS, which glibc's fragmentation under connection churn
  // also raises (measured: a steady heap of 6 MiB with RSS creeping up), gets a looser bound.
  double first_heap = 0, peak_heap = 0;
  double first_rss = 0, peak_rss = 0;
  int first_fds = 0, peak_fds = 0;
  bool stalled = false;
  std::printf("%6s %9s %10s %5s", "t(s)", "rss(MiB)", "heap(MiB)", "fds");
  for (auto* w : all)
    std::printf(" %15s", (w->name + "/s").c_str());
  std::printf(" %12s\n", "connections");
  auto start = std::chrono::steady_clock::now();
  for (int t = interval; t <= seconds; t += interval) {
    std::this_thread::sleep_until(start + std::chrono::seconds{t});  // the sampling clock
    double rss = rss_mib(), heap = heap_mib();
    int fds = open_fds();
    if (t == interval) {
      first_rss = rss;
      first_heap = heap;
      first_fds = fds;
    }
    peak_rss = std::max(peak_rss, rss);
    peak_heap = std::max(peak_heap, heap);
    peak_fds = std::max(peak_fds, fds);
    std::printf("%6d %9.1f %10.1f %5d", t, rss, heap, fds);
    uint64_t connections = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      uint64_t now = all[i]->count.messages.load();
      std::printf(" %15.0f", static_cast<double>(now - last[i]) / interval);
      if (now == last[i]) {
        cafmq::soak::violation(*all[i], "no message in " + std::to_string(interval) + " s");
        stalled = true;
      }
      last[i] = now;
      connections += all[i]->count.connections.load();
    }
    std::printf(" %12llu\n", static_cast<unsigned long long>(connections));
    std::fflush(stdout);
  }
  running = false;
  bool lossless = work.stop_and_check(10s);
  uint64_t violations = 0;
  for (auto* w : all)
    violations += w->count.violations.load();
  double heap_bound = 2 * first_heap + 32, rss_bound = 2 * first_rss + 256;
  int fds_bound = first_fds + 64;
  std::printf("soak: %d s; heap first %.1f MiB, peak %.1f (bound %.1f); rss first %.1f MiB, peak "
              "%.1f (bound %.1f); fds first %d, peak %d (bound %d); violations %llu\n",
              seconds, first_heap, peak_heap, heap_bound, first_rss, peak_rss, rss_bound,
              first_fds, peak_fds, fds_bound, static_cast<unsigned long long>(violations));
  bool ok = lossless && !stalled && violations == 0 && peak_heap <= heap_bound &&
            peak_rss <= rss_bound && peak_fds <= fds_bound;
  std::printf("soak: %s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
