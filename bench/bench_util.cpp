// Process and argument plumbing for the benchmark programs.
#include "bench_util.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace bench {

std::string free_endpoint() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);  // (a failed socket() fails here too, with EBADF)
    throw std::runtime_error("free_endpoint: cannot bind a loopback port");
  }
  close(fd);
  return "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

namespace {

double cpu_of(int who) {
  rusage u{};
  getrusage(who, &u);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

} // namespace

double fork_and_measure(const std::function<double()>& child, const std::function<void()>& parent,
                        double* cpu_seconds) {
  double cpu_before = cpu_of(RUSAGE_SELF) + cpu_of(RUSAGE_CHILDREN);
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    double v = -1;
    try {
      v = child();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "benchmark child: %s\n", e.what());
    }
    _exit(write(fds[1], &v, sizeof v) == sizeof v ? 0 : 1);
  }
  close(fds[1]);
  try {
    parent();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark parent: %s\n", e.what());
  }
  double v = -1;
  if (read(fds[0], &v, sizeof v) != sizeof v)
    v = -1;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);  // the child's CPU time counts once it has been waited for
  if (cpu_seconds != nullptr)
    *cpu_seconds = cpu_of(RUSAGE_SELF) + cpu_of(RUSAGE_CHILDREN) - cpu_before;
  return v;
}

double best_run(const std::vector<double>& runs, bool lower_is_better) {
  if (runs.empty() || *std::min_element(runs.begin(), runs.end()) <= 0)
    return 0;
  return lower_is_better ? *std::min_element(runs.begin(), runs.end())
                         : *std::max_element(runs.begin(), runs.end());
}

size_t size_arg(int argc, char** argv, const char* flag, size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0)
      return std::strtoull(argv[i + 1], nullptr, 10);
  return fallback;
}

std::vector<size_t> size_list_arg(int argc, char** argv, const char* flag,
                                  const std::vector<size_t>& fallback) {
  const char* text = text_arg(argc, argv, flag, nullptr);
  if (text == nullptr)
    return fallback;
  std::vector<size_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t digits = item.find_first_not_of("0123456789");
    bool kib = digits != std::string::npos && digits + 1 == item.size()
               && (item[digits] == 'K' || item[digits] == 'k');
    if (item.empty() || digits == 0 || (digits != std::string::npos && !kib) || item.size() > 12)
      throw std::invalid_argument(std::string(flag) + ": '" + item
                                  + "' is not a positive whole number (a K suffix means 1024)");
    size_t v = std::stoull(item.substr(0, digits)) * (kib ? 1024 : 1);
    if (v == 0)
      throw std::invalid_argument(std::string(flag) + ": '" + item + "' must be 1 or more");
    out.push_back(v);
  }
  if (out.empty())
    throw std::invalid_argument(std::string(flag) + ": the list is empty");
  return out;
}

const char* text_arg(int argc, char** argv, const char* flag, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0)
      return argv[i + 1];
  return fallback;
}

bool wants_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0)
      return true;
  return false;
}

} // namespace bench

namespace bench {

bool has_flag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0)
      return true;
  return false;
}

} // namespace bench
