// Private to net/: the Asio socket behind a stream. One socket type serves every family (TCP,
// Unix-domain), so the engines have one code path; what differs (names, options) branches on
// the family outside the hot path.
#pragma once

#include "net/cloexec.hpp"
#include "net/io_loop.hpp"
#include "net/stream.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace cafmq::net {

class stream {
public:
  using socket_type = boost::asio::generic::stream_protocol::socket;

  /// `s` (a tcp or local socket, moved in) lives on `loop` (its io_context): the stream counts
  /// as one of the loop's connections. `name` is the ipc endpoint both sides report
  /// ("ipc:///path", as libzmq); empty for TCP, whose names come from the socket.
  template <typename Socket>
  stream(Socket s, io_loop& loop, std::string name = {})
    : socket(std::move(s)), loop_(loop), name_(std::move(name)) {
    loop_.count_connection(true);
    keep_from_children(socket.native_handle());
    if (!name_.empty())
      peer_ = read_peer_process(socket.native_handle());
  }
  /// Closes the socket before counting out, so a listener woken by the count finds the
  /// descriptor free.
  ~stream() {
    boost::system::error_code ignored;
    socket.close(ignored);
    loop_.count_connection(false);
  }
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  socket_type socket;
  /// The loop whose thread runs this stream's handlers.
  io_loop& loop() const noexcept { return loop_; }
  /// The ipc endpoint ("ipc:///path"), empty for TCP.
  const std::string& ipc_name() const noexcept { return name_; }
  /// ipc: the peer process as the kernel recorded it at connect time.
  const std::optional<process_credentials>& peer() const noexcept { return peer_; }

private:
  static std::optional<process_credentials> read_peer_process(int fd);

  io_loop& loop_;
  std::string name_;
  std::optional<process_credentials> peer_;
};

/// The OS error in an Asio error code, as a std::error_code whose category reason_of()
/// understands (system or generic); other categories (resolver, misc) stay apart.
std::error_code os_error(const boost::system::error_code& ec);

/// A window on a vector of buffers, as a buffer sequence Asio can gather from.
struct buffer_window {
  const boost::asio::const_buffer* first;
  const boost::asio::const_buffer* last;
  const boost::asio::const_buffer* begin() const noexcept { return first; }
  const boost::asio::const_buffer* end() const noexcept { return last; }
};

/// Writes all of `pieces` to `s`, then calls `done(ec, bytes_written)`. Each system call gathers
/// as many pieces as Asio passes to the kernel at once (64) with no cap on bytes, where
/// asio::async_write passes at most 16 pieces and 64 KiB: a 256 KiB batch of large messages cost
/// five sendmsg calls instead of one. `pieces` is consumed in place and must outlive the write.
template <typename Stream, typename Handler>
class write_all_op {
public:
  write_all_op(Stream& s, std::vector<boost::asio::const_buffer>& pieces, Handler done)
    : s_(s), pieces_(pieces), done_(std::move(done)) {}

  void start() {
    buffer_window window{pieces_.data() + first_, pieces_.data() + pieces_.size()};
    s_.async_write_some(window, std::move(*this));
  }

  void operator()(const boost::system::error_code& ec, size_t n) {
    written_ += n;
    consume(n);
    if (ec || first_ == pieces_.size())
      return done_(ec, written_);
    if (n == 0)  // the kernel took nothing and said nothing: never spin on that
      return done_(make_error_code(boost::system::errc::io_error), written_);
    start();
  }

private:
  void consume(size_t n) {
    while (first_ < pieces_.size() && n >= pieces_[first_].size()) {
      n -= pieces_[first_].size();
      ++first_;
    }
    if (n > 0)
      pieces_[first_] += n;
  }

  Stream& s_;
  std::vector<boost::asio::const_buffer>& pieces_;
  Handler done_;
  size_t first_ = 0;
  size_t written_ = 0;
};

/// See write_all_op.
template <typename Stream, typename Handler>
void async_write_all(Stream& s, std::vector<boost::asio::const_buffer>& pieces, Handler done) {
  write_all_op<Stream, Handler>(s, pieces, std::move(done)).start();
}

/// Formats an Asio endpoint as "tcp://host:port".
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep);

/// The address text of `s`'s peer as ZAP, rules and peer_info take it: "a.b.c.d" (see
/// address_text) for TCP, empty for ipc (libzmq gives ZAP no address for ipc peers).
std::string peer_address(const stream& s);

/// A peer's address as text, as address rules, ZAP and monitor events compare it: an IPv4 peer of
/// a dual-stack listener (`tcp://*:P`, `[::]`) arrives as the IPv4-mapped `::ffff:a.b.c.d` and is
/// given as `a.b.c.d`, so a rule written for IPv4 matches it.
std::string address_text(const boost::asio::ip::address& addr);

} // namespace cafmq::net
