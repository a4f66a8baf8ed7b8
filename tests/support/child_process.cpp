// posix_spawn + pipes; one reader thread polls both pipes until EOF, then reaps the child.
#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace cafmq::test {

std::string process_result::describe() const {
  std::string s = timed_out ? "timed out (killed)"
                  : term_signal != 0 ? "killed by signal " + std::to_string(term_signal)
                                     : "exit code " + std::to_string(exit_code);
  auto clip = [](const std::string& t) { return t.size() > 2000 ? t.substr(0, 2000) + "..." : t; };
  return s + "; stdout: [" + clip(out) + "]; stderr: [" + clip(err) + "]";
}

child_process::child_process(std::vector<std::string> argv) {
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  reader_ = std::thread([this, o = out[0], e = err[0]] { pump(o, e); });
}

void child_process::pump(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    int rc = ::poll(fds, 2, 50);
    if (rc < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
        continue;
      auto n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        std::lock_guard<std::mutex> guard{mtx_};
        (i == 0 ? result_.out : result_.err).append(buf, static_cast<size_t>(n));
        cv_.notify_all();
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0)
      ::close(f.fd);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (WIFEXITED(status))
    result_.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result_.term_signal = WTERMSIG(status);
  done_ = true;
  cv_.notify_all();
}

bool child_process::running() {
  std::lock_guard<std::mutex> guard{mtx_};
  return !done_;
}

size_t child_process::output_size(bool on_stdout) {
  std::lock_guard<std::mutex> guard{mtx_};
  return on_stdout ? result_.out.size() : result_.err.size();
}

std::string child_process::wait_for_line(const std::string& prefix,
                                         std::chrono::milliseconds timeout, bool on_stdout,
                                         size_t from, size_t* next) {
  std::string found;
  auto has_line = [&] {
    const std::string& text = on_stdout ? result_.out : result_.err;
    size_t start = from;
    for (;;) {
      auto nl = text.find('\n', start);
      if (nl == std::string::npos)
        return false;
      if (text.compare(start, prefix.size(), prefix) == 0) {
        found = text.substr(start, nl - start);
        if (next != nullptr)
          *next = nl + 1;
        return true;
      }
      start = nl + 1;
    }
  };
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait_for(guard, timeout, [&] { return has_line() || done_; });
  return found;
}

process_result child_process::wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard{mtx_};
  bool timed_out = !cv_.wait_for(guard, timeout, [this] { return done_; });
  if (timed_out) {
    ::kill(pid_, SIGKILL);  // our own child, by pid
    cv_.wait(guard, [this] { return done_; });
  }
  guard.unlock();
  if (reader_.joinable())
    reader_.join();
  waited_ = true;
  auto r = result_;
  r.timed_out = timed_out;
  return r;
}

child_process::~child_process() {
  if (!waited_)
    wait(std::chrono::milliseconds(0));
}

process_result run_process(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  child_process p{std::move(argv)};
  return p.wait(timeout);
}

} // namespace cafmq::test
