// Idle PUSH peers that cost one descriptor each: plain TCP sockets speaking just enough ZMTP 3.1
// (RFC 37: greeting, NULL READY, one message) by hand, with blocking calls and a deadline. A
// library's socket costs two or more descriptors (libzmq: the connection and a mailbox), which
// caps the peers one process can hold at half its descriptor limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

/// Open connections; closing them (or destroying this) is the peers leaving.
class zmtp_push_peers {
public:
  zmtp_push_peers() = default;
  zmtp_push_peers(const zmtp_push_peers&) = delete;
  zmtp_push_peers& operator=(const zmtp_push_peers&) = delete;
  ~zmtp_push_peers() { close(); }

  /// Connects `n` more peers to 127.0.0.1:`port`. Each sends its greeting and READY
  /// (Socket-Type PUSH), reads the server's greeting and READY, then sends one one-byte message
  /// and stays idle. Returns an empty string, or what failed (the peers connected so far stay).
  std::string add(uint16_t port, size_t n, std::chrono::milliseconds deadline);

  /// How many are open.
  size_t size() const noexcept { return fds_.size(); }

  /// Closes every connection.
  void close() noexcept;

private:
  std::vector<int> fds_;
};

} // namespace bench
