// The raw TCP engine: read -> one message per read into the inbound ring (a full ring pauses
// reads, so TCP pushes back on the sender); outbound ring -> gathered raw writes. The pipe's
// io_waker posts a "kick" here, as for zmtp_engine. Every entry point runs inside guard(): an
// exception closes this connection with code internal.
#include "net/raw_engine.hpp"

#include "net/engine_boundary.hpp"
#include "net/tcp_stream.hpp"
#include "net/write_batch.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <vector>

namespace cafmq::net {

namespace asio = boost::asio;

namespace {

constexpr size_t read_buffer_size = 64 * 1024;
constexpr size_t write_batch_target = 256 * 1024;

class engine final : public raw_engine, public kickable, public std::enable_shared_from_this<engine> {
public:
  engine(io_loop& loop, stream_ptr s, pipe_ptr p, std::shared_ptr<engine_observer> obs)
    : ctx_(*static_cast<asio::io_context*>(loop.native())),
      kicks_(loop.kicks()),
      stream_(std::move(s)),
      pipe_(std::move(p)),
      observer_(std::move(obs)),
      rbuf_(read_buffer_size) {
    peer_name_ = remote_name(*stream_);
  }

  void run() {
    std::weak_ptr<engine> weak = shared_from_this();
    auto kick = [weak] {
      if (auto self = weak.lock()) {
        auto& kicks = self->kicks_;
        kicks.kick(std::move(self));  // the queue keeps the engine alive until it runs
      }
    };
    pipe_->io().set_target(kick);
    pipe_->io_out().set_target(kick);  // raw bytes are always written from the I/O thread
    if (pipe_->closed_by_user())
      return shut(permanent_end(event_reason::local, "closed by the socket"));
    pending_ = message{frame{}};  // the connect notification: the ring is empty, so it fits
    has_pending_ = true;
    deliver();
    do_read();
    do_write();
  }

  using raw_engine::close;
  void close(connection_end end) override {
    asio::post(ctx_, [self = shared_from_this(), end = std::move(end)] {
      self->guard([&] { self->shut(end); });
    });
  }

  template <class Body>
  void guard(Body&& body) noexcept {
    guarded(std::forward<Body>(body), [this](const char* what) { on_fault(what); });
  }

private:
  // -- reading --

  void do_read() {
    if (reading_ || paused_ || closed_)
      return;
    reading_ = true;
    stream_->socket.async_read_some(
      asio::buffer(rbuf_.data(), rbuf_.size()),
      [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        self->reading_ = false;
        self->guard([&] { self->on_read(ec, n); });
      });
  }

  void on_read(boost::system::error_code ec, size_t n) {
    if (closed_)
      return;
    if (ec) {
      if (ec != asio::error::operation_aborted)
        shut(stream_end(ec, "read failed"));
      return;
    }
    pending_ = message{frame{rbuf_.data(), n}};
    has_pending_ = true;
    if (deliver())
      do_read();
  }

  // Moves the pending message into the inbound ring and publishes it; false (reads paused) when
  // the ring is full.
  bool deliver() {
    auto& ring = pipe_->inbound();
    while (!ring.try_push(pending_)) {
      ring.flush();
      if (ring.writer_sleep()) {
        paused_ = true;
        return false;
      }
    }
    has_pending_ = false;
    ring.flush();
    return true;
  }

  void on_kick() noexcept override {
    guard([this] {
      if (closed_)
        return;
      if (pipe_->closed_by_user())
        return shut(permanent_end(event_reason::local, "closed by the socket"));
      if (paused_) {
        paused_ = false;
        if (has_pending_ && !deliver())
          return do_write();
        do_read();
      }
      do_write();
    });
  }

  // -- writing --

  void do_write() {
    if (writing_ || closed_)
      return;
    if (!closing_)
      fill_from_pipe();
    if (out_.empty()) {
      if (closing_)
        shut(permanent_end(event_reason::local, "closed by the socket (empty message)"));
      return;
    }
    pieces_.clear();
    out_.for_each_piece([this](const uint8_t* p, size_t n) { pieces_.emplace_back(p, n); });
    writing_ = true;
    pipe_->io_writing.store(true, std::memory_order_release);
    async_write_all(stream_->socket, pieces_,
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->guard([&] { self->on_written(ec); });
                    });
  }

  void on_written(boost::system::error_code ec) {
    writing_ = false;
    pipe_->io_writing.store(false, std::memory_order_release);
    out_.clear();
    if (ec) {
      if (ec != asio::error::operation_aborted)
        shut(stream_end(ec, "write failed"));
      return;
    }
    do_write();
  }

  // With no write in flight. io_writing as in the ZMTP engine's fill_from_pipe().
  void fill_from_pipe() {
    auto& ring = pipe_->outbound();
    for (;;) {
      pipe_->io_writing.store(true, std::memory_order_release);
      uint64_t end = ring.batch_end();  // as in the ZMTP engine: see front_before()
      while (out_.size() < write_batch_target) {
        const message* m = ring.front_before(end);
        if (m == nullptr)
          break;
        bool close_request = m->byte_size() == 0;  // [routing id, ""]: close after the rest
        for (size_t i = 0; i < m->size(); ++i)
          out_.add_raw_frame((*m)[i]);
        ring.pop_front();
        if (close_request) {
          closing_ = true;
          return;
        }
      }
      if (!out_.empty())
        return;
      pipe_->io_writing.store(false, std::memory_order_release);
      if (ring.front() != nullptr)
        continue;  // published after `end` was read
      if (ring.reader_sleep())
        return;  // empty: the next flush will kick us
    }
  }

  // -- closing --

  // The exception boundary's verdict: code internal; the observer hears it once.
  void on_fault(const char* what) noexcept {
    end_on_fault(what, "raw-engine", peer_name_, [this](const connection_end& e) { shut(e); },
                 [this] { return std::move(observer_); });
  }

  void shut(const connection_end& end) {
    if (closed_)
      return;
    closed_ = true;
    boost::system::error_code ec;
    stream_->socket.close(ec);
    auto& ring = pipe_->inbound();
    if (!has_pending_ || ring.try_push(pending_)) {  // bytes read before the end still go up
      message notification{frame{}};
      ring.try_push(notification);  // the disconnect notification, if the ring has room
    }
    ring.flush();
    pipe_->io().set_target(nullptr);
    pipe_->io_out().set_target(nullptr);
    pipe_->io_writing.store(false, std::memory_order_release);
    log::write(log::level::info, "raw-engine", peer_name_ + ": closed: " + end.detail);
    auto obs = std::move(observer_);
    if (obs)
      obs->on_closed(end);
  }

  asio::io_context& ctx_;
  kick_queue& kicks_;
  stream_ptr stream_;
  pipe_ptr pipe_;
  std::shared_ptr<engine_observer> observer_;
  std::string peer_name_;
  bool closed_ = false;

  std::vector<uint8_t> rbuf_;
  message pending_;  // read but not yet in the ring (the ring was full)
  bool has_pending_ = false;
  bool reading_ = false;
  bool paused_ = false;

  write_batch out_;
  std::vector<asio::const_buffer> pieces_;
  bool writing_ = false;
  bool closing_ = false;  // an empty message was taken: close once out_ is written
};

} // namespace

std::shared_ptr<raw_engine> raw_engine::start(io_loop& loop, stream_ptr s, pipe_ptr p,
                                              std::shared_ptr<engine_observer> observer) {
  auto e = std::make_shared<engine>(loop, std::move(s), std::move(p), std::move(observer));
  asio::post(*static_cast<asio::io_context*>(loop.native()), [e] { e->guard([&] { e->run(); }); });
  return e;
}

} // namespace cafmq::net
