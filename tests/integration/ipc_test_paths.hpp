// A private directory for one ipc test's socket files, removed with what is left in it, and the
// small file-system questions the ipc tests ask.
#pragma once

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace cafmq::test {

class ipc_dir {
public:
  ipc_dir() {
    std::string templ = "/tmp/cafmq-ipc-test-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data()))
      throw std::runtime_error("mkdtemp failed");
    dir_ = buf.data();
  }
  ~ipc_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ipc_dir(const ipc_dir&) = delete;
  ipc_dir& operator=(const ipc_dir&) = delete;

  /// A path in the directory.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  /// "ipc://" + path(name).
  std::string endpoint(const std::string& name) const { return "ipc://" + path(name); }

private:
  std::string dir_;
};

inline bool is_socket_file(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

inline bool exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

inline ino_t inode_of(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

/// Leaves a stale socket file at `path`: bound, never listened on, closed without unlink (what
/// a crashed process leaves behind). With `listen` the socket stays open and listening: its
/// descriptor is returned (close it), as a live endpoint of another program.
inline int raw_unix_socket(const std::string& path, bool listen) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot bind a raw unix socket at " + path);
  if (!listen) {
    ::close(fd);
    return -1;
  }
  ::listen(fd, 4);
  return fd;
}

} // namespace cafmq::test
