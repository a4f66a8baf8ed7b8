// Byte-level TCP peers on POSIX sockets, for talking to cafmq below the ZMTP layer: send any bytes,
// read exact counts and watch for the connection being closed, always with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cafmq::test {

using bytes = std::vector<uint8_t>;

/// How a bounded read ended.
enum class read_status { ok, closed, timeout };

/// The outcome of read_exact: `data` holds what arrived (all of it when status is ok).
struct read_result {
  read_status status = read_status::timeout;
  bytes data;
};

/// A connected TCP client socket (closed on destruction).
class raw_client {
public:
  /// Connects to 127.0.0.1:`port` (or the port of a "tcp://host:port" endpoint); throws
  /// std::runtime_error if that fails within `timeout`.
  static raw_client connect(uint16_t port, std::chrono::milliseconds timeout);
  static raw_client connect(const std::string& endpoint, std::chrono::milliseconds timeout);

  raw_client(raw_client&& other) noexcept;
  raw_client& operator=(raw_client&& other) noexcept;
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  ~raw_client();

  /// Writes all of `data`; false if the peer has closed or reset the connection.
  bool send_all(const bytes& data);
  bool send_all(const std::string& data);
  /// Reads exactly `n` bytes unless the connection closes or `timeout` passes first.
  read_result read_exact(size_t n, std::chrono::milliseconds timeout);
  /// Reads and discards (appending to `seen` if given) until the peer closes or resets the
  /// connection (true) or `timeout` passes (false).
  bool wait_closed(std::chrono::milliseconds timeout, bytes* seen = nullptr);
  /// Closes now.
  void close();
  /// The raw descriptor (-1 once closed).
  int fd() const noexcept { return fd_; }

private:
  friend class raw_listener;
  explicit raw_client(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// A listening TCP socket on 127.0.0.1 with an ephemeral port, for cafmq sockets that connect.
class raw_listener {
public:
  raw_listener();
  ~raw_listener();
  raw_listener(const raw_listener&) = delete;
  raw_listener& operator=(const raw_listener&) = delete;

  /// The port it listens on.
  uint16_t port() const noexcept { return port_; }
  /// "tcp://127.0.0.1:<port>".
  std::string endpoint() const;
  /// Accepts one connection; throws std::runtime_error if none arrives within `timeout`.
  raw_client accept(std::chrono::milliseconds timeout);

private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

/// How many of `peers` the server has not closed yet (a non-blocking probe of each).
inline size_t still_open(std::vector<raw_client>& peers) {
  size_t n = 0;
  for (auto& c : peers)
    if (c.fd() >= 0 && !c.wait_closed(std::chrono::milliseconds{0}))
      ++n;
  return n;
}

} // namespace cafmq::test
