// The file-system side of ipc:// endpoints: the socket address of a path or abstract name, the
// wildcard's private directory, the rule for a path that already exists, and removing what a
// listener made. Private to net/.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace cafmq::net {

/// What a bind made on the file system, removed by release_ipc_path when the listener closes.
struct ipc_binding {
  std::string path;          ///< as bound: "/tmp/x.sock", "rel.sock", "@name"
  std::string private_dir;   ///< the wildcard's mkdtemp directory, else empty
  dev_t dev = 0;             ///< the socket file's identity once bound (0: abstract, none)
  ino_t ino = 0;
};

/// The string Asio's local endpoint takes for `path`: "@name" becomes "\0name" (the abstract
/// namespace, its length exact, as libzmq), any other path is used as is.
std::string sun_path_of(const std::string& path);

/// For ipc://*: a fresh directory (mode 0700) under $TMPDIR or /tmp holding the path of the
/// socket to bind. Sets `b.path` and `b.private_dir`; empty on success, else why not.
std::string make_private_path(ipc_binding& b);

/// Before binding `path` (not abstract): refuses a path that is not a socket or that a live
/// listener holds (a probing connect succeeds), and unlinks a stale socket (ECONNREFUSED).
/// Empty when the bind may go ahead; else why not, with `in_use` set when the path is taken.
std::string clear_path_for_bind(const std::string& path, bool& in_use);

/// After the bind: records the socket file's identity in `b`, so release_ipc_path removes the
/// file only while it is still ours.
void remember_socket_file(ipc_binding& b);

/// On close: unlinks the socket file if it is still the one we bound (same device and inode:
/// another process may have replaced it since) and removes the wildcard's directory.
void release_ipc_path(const ipc_binding& b);

} // namespace cafmq::net
