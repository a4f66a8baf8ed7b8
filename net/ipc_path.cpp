// ipc:// paths on the file system (see net/ipc_path.hpp).
#include "net/ipc_path.hpp"

#include "runtime/core/endpoint.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace cafmq::net {

std::string sun_path_of(const std::string& path) {
  if (!path.empty() && path[0] == '@')
    return std::string(1, '\0') + path.substr(1);
  return path;
}

std::string make_private_path(ipc_binding& b) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp && *tmp ? tmp : "/tmp";
  std::string templ = base + "/cafmq-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    return "cannot create a private directory under " + base + ": " + std::strerror(errno);
  b.private_dir = buf.data();
  b.path = b.private_dir + "/socket";
  if (b.path.size() > max_ipc_path) {
    ::rmdir(b.private_dir.c_str());
    b.private_dir.clear();
    return "the wildcard's path under " + base + " would be " + std::to_string(b.path.size())
           + " bytes, over the " + std::to_string(max_ipc_path)
           + " sun_path allows (set TMPDIR to a shorter directory)";
  }
  return {};
}

namespace {

// 0: nobody listens (ECONNREFUSED); 1: a listener accepted; else the errno of the probe.
int probe_listener(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = rc == 0 ? 0 : errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN)  // EAGAIN: a live listener whose backlog is full
    return 1;
  return err == ECONNREFUSED ? 0 : err;
}

} // namespace

std::string clear_path_for_bind(const std::string& path, bool& in_use) {
  in_use = false;
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0)
    return errno == ENOENT ? std::string() : path + ": " + std::strerror(errno);
  if (!S_ISSOCK(st.st_mode)) {
    in_use = true;
    return path + " exists and is not a socket (never removed)";
  }
  int probe = probe_listener(path);
  if (probe == 1) {
    in_use = true;
    return "a listener is live on " + path + " (cafmq never takes over a live endpoint)";
  }
  if (probe != 0)
    return "cannot tell whether " + path + " is live: " + std::strerror(probe);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return "cannot remove the stale socket " + path + ": " + std::strerror(errno);
  return {};
}

void remember_socket_file(ipc_binding& b) {
  struct stat st{};
  if (b.path.empty() || b.path[0] == '@' || ::lstat(b.path.c_str(), &st) != 0)
    return;
  b.dev = st.st_dev;
  b.ino = st.st_ino;
}

void release_ipc_path(const ipc_binding& b) {
  struct stat st{};
  if (b.ino != 0 && ::lstat(b.path.c_str(), &st) == 0 && st.st_dev == b.dev
      && st.st_ino == b.ino)
    ::unlink(b.path.c_str());
  if (!b.private_dir.empty())
    ::rmdir(b.private_dir.c_str());
}

} // namespace cafmq::net
