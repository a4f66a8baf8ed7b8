// zmtp_engine_impl, writing: gathered batches from the outbound ring on the I/O thread, and
// direct writes on the user thread after a quiet spell. See zmtp_engine_impl.hpp.
#include "net/zmtp_engine_impl.hpp"

#include "net/legacy_framing.hpp"
#include "net/tcp_stream.hpp"
#include "runtime/core/log.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace cafmq::net {

namespace asio = boost::asio;

namespace {

constexpr size_t write_batch_target = 256 * 1024;
// A direct write takes at most this many bytes (larger batches are the I/O thread's job), and
// only when the engine has been idle at least this long: a message after a quiet spell (a
// request, a reply) goes out at once, while a stream, which refills the ring as soon as the
// engine drains it, is still batched by the I/O thread without a system call per message on
// the user thread.
// The same gap applies per user thread: a PUB fanning one message out to many idle subscribers
// writes to one of them directly and kicks the I/O thread for the rest, instead of spending a
// system call per subscriber on the user thread.
constexpr size_t direct_write_limit = 16 * 1024;
constexpr auto direct_write_idle = std::chrono::microseconds(15);
// NOLINTNEXTLINE(cert-err58-cpp): a time_point's default constructor cannot throw
thread_local std::chrono::steady_clock::time_point last_direct_write_here{};
constexpr size_t max_direct_pieces = 64;

} // namespace

// Queues a command: into out_ when no write uses it, else framed (and encrypted, once CURVE
// is on) now and appended after that write (appending to out_ during it could move the arena
// under the kernel's feet, and the write's completion clears out_).
void zmtp_engine_impl::queue_command(const bytes& body) {
  std::lock_guard<std::mutex> guard{write_mtx_};  // the user thread may be writing directly
  if (writing_)
    pending_frames_.push_back(framed_command(body));
  else
    add_command_out(body);
}

// Whatever of our greeting is due and not yet queued; before any command, so it goes first.
void zmtp_engine_impl::queue_greeting() {
  auto due = greeting_->take_due();
  if (due.empty())
    return;
  std::lock_guard<std::mutex> guard{write_mtx_};
  if (writing_)
    pending_frames_.push_back(std::move(due));
  else
    out_.add_raw(due.data(), due.size());
}

// A whole command frame as bytes, wrapped if CURVE is on; under write_mtx_ (the nonce).
bytes zmtp_engine_impl::framed_command(const bytes& body) {
  size_t size = cipher_ ? cipher_->encoded_size(body.size()) : body.size();
  bytes framed(max_frame_header + size);
  size_t h = write_frame_header(framed.data(), cipher_ ? 0 : flag::command, size);
  if (cipher_)
    cipher_->encode_into(framed.data() + h, 0x02, body.data(), body.size());
  else if (!body.empty())
    std::memcpy(framed.data() + h, body.data(), body.size());
  framed.resize(h + size);
  return framed;
}

// Under write_mtx_ once ready: a command after the handshake (wrapped by CURVE).
void zmtp_engine_impl::add_command_out(const bytes& body) {
  if (cipher_)
    out_.add_command(body, *cipher_);
  else
    out_.add_command(body);
}

// Under write_mtx_, with no write in flight.
void zmtp_engine_impl::take_pending_frames() {
  for (auto& f : pending_frames_)
    out_.add_raw(f.data(), f.size());
  pending_frames_.clear();
}

void zmtp_engine_impl::do_write() {
  connection_end close_now;
  {
    std::lock_guard<std::mutex> guard{write_mtx_};
    if (writing_ || phase_ == phase::closed)
      return;
    take_pending_frames();
    if (phase_ == phase::ready && !closing_)
      fill_from_pipe();
    if (!out_.empty())
      return start_write();
    if (!closing_)
      return;
    close_now = *closing_;
  }
  shut(close_now);
}

// Under write_mtx_: one gathered write of out_ in flight.
void zmtp_engine_impl::start_write() {
  pieces_.clear();
  out_.for_each_piece([this](const uint8_t* p, size_t n) { pieces_.emplace_back(p, n); });
  writing_ = true;
  pipe_->io_writing.store(true, std::memory_order_release);
  async_write_all(stream_->socket, pieces_,
                  [self = shared_from_this()](boost::system::error_code ec, size_t) {
                    self->guard([&] { self->on_written(ec); });
                  });
}

void zmtp_engine_impl::on_written(boost::system::error_code ec) {
  {
    std::lock_guard<std::mutex> guard{write_mtx_};
    writing_ = false;
    pipe_->io_writing.store(false, std::memory_order_release);
    out_.clear();
    take_pending_frames();  // a PONG queued meanwhile goes next
  }
  if (ec) {
    if (ec != asio::error::operation_aborted)  // a refusal being written keeps its own reason
      shut(closing_ ? *closing_ : stream_end(ec, "write failed"));
    return;
  }
  do_write();
}

// The user thread flushed the outbound ring while this engine slept on it. If nothing else is
// being written, write right here; else (or if that cannot finish) kick the I/O thread. Never
// blocks: the lock is only tried, the socket written without waiting.
void zmtp_engine_impl::on_user_flush() {
  std::unique_lock<std::mutex> lock{write_mtx_, std::try_to_lock};
  if (lock.owns_lock() && phase_ == phase::ready && !writing_ && out_.empty()
      && !closing_) {
    auto now = std::chrono::steady_clock::now();
    if (now - idle_since_ >= direct_write_idle
        && now - last_direct_write_here >= direct_write_idle) {
      last_direct_write_here = now;
      if (write_directly())
        return;
    }
  }
  if (lock.owns_lock())
    lock.unlock();
  post_kick();
}

// Under write_mtx_, on the user thread: encodes what the ring holds and sends it without
// waiting. True when all of it went out and the engine sleeps on the ring again; false leaves
// what is left in out_ for the I/O thread, which the caller then kicks.
bool zmtp_engine_impl::write_directly() {
  fill_from_pipe();
  if (out_.empty())
    return true;  // nothing queued after all; fill_from_pipe re-armed the sleep
  if (out_.size() > direct_write_limit)
    return false;
  std::array<iovec, max_direct_pieces> iov;
  size_t count = 0;
  bool fits = true;
  out_.for_each_piece([&](const uint8_t* p, size_t n) {
    if (count == iov.size()) {
      fits = false;
      return;
    }
    iov[count++] = iovec{const_cast<uint8_t*>(p), n};
  });
  if (!fits)
    return false;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  ssize_t sent = ::sendmsg(fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0)
    return false;  // would block, or an error the I/O thread's own write will report
  if (static_cast<size_t>(sent) == out_.size()) {
    out_.clear();
    pipe_->io_writing.store(false, std::memory_order_release);  // all of it is in the kernel
    idle_ = true;
    idle_since_ = std::chrono::steady_clock::now();
    spsc_ring::read_guard reading{pipe_->outbound()};  // drop_oldest's writer may discard
    return pipe_->outbound().reader_sleep();  // nothing new can have come: we are its writer
  }
  keep_unsent(iov.data(), count, static_cast<size_t>(sent));
  log::write(log::level::debug, "engine",
             peer_name_ + ": direct write cut short after " + std::to_string(sent) + " of "
               + std::to_string(out_.size() + static_cast<size_t>(sent)) + " bytes");
  return false;
}

// A direct write was cut short: what the kernel did not take goes first in out_.
void zmtp_engine_impl::keep_unsent(const iovec* iov, size_t count, size_t sent) {
  std::vector<uint8_t> rest;
  for (size_t i = 0; i < count; ++i) {
    size_t skip = std::min(sent, iov[i].iov_len);
    sent -= skip;
    auto* base = static_cast<const uint8_t*>(iov[i].iov_base);
    rest.insert(rest.end(), base + skip, base + iov[i].iov_len);
  }
  out_.clear();
  out_.add_raw(rest.data(), rest.size());
  pipe_->io_writing.store(true, std::memory_order_release);  // linger: bytes still to go
}

// Under write_mtx_ (the ring's reader side belongs to whoever holds it), with no write in flight.
void zmtp_engine_impl::fill_from_pipe() {
  auto& ring = pipe_->outbound();
  spsc_ring::read_guard reading{ring};  // drop_oldest: excludes the writer's discards (per batch)
  for (;;) {
    // A lingering close counts the ring's messages and io_writing: raised before any message
    // leaves the ring, lowered below if none did, so the count never misses one in between.
    pipe_->io_writing.store(true, std::memory_order_release);
    uint64_t end = ring.batch_end();  // not what comes meanwhile: see front_before()
    while (out_.size() < write_batch_target) {
      const message* m = ring.front_before(end);  // encoded in place: no move out of the slot
      if (m == nullptr)
        break;
      if (cfg_.subscriptions == subscription_role::subscriber && minor_ >= 1 && is_subscription(*m))
        add_subscription_command(*m);
      else if (cipher_)
        out_.add_message(*m, *cipher_);
      else if (legacy_ == framing::zmtp1)
        add_zmtp1_message(out_, *m);
      else
        out_.add_message(*m);
      ring.pop_front();
    }
    if (!out_.empty()) {
      idle_ = false;
      return;
    }
    pipe_->io_writing.store(false, std::memory_order_release);
    if (ring.front() != nullptr)
      continue;  // published after `end` was read
    if (ring.reader_sleep()) {  // empty: the next flush kicks us (or writes directly)
      if (!idle_) {  // just drained; re-arming after a read changes nothing
        idle_ = true;
        idle_since_ = std::chrono::steady_clock::now();
      }
      return;
    }
  }
}

bool zmtp_engine_impl::is_subscription(const message& m) {
  return m.size() == 1 && !m[0].empty() && m[0].data()[0] <= 1;
}

// RFC 37: a ZMTP 3.1 peer gets SUBSCRIBE/CANCEL commands instead of legacy data frames.
void zmtp_engine_impl::add_subscription_command(const message& m) {
  const frame& f = m[0];
  add_command_out(make_command(f.data()[0] == 1 ? "SUBSCRIBE" : "CANCEL", f.data() + 1,
                               f.size() - 1));
}

} // namespace cafmq::net
