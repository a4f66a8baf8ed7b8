// The connection engine: greeting -> mechanism handshake -> data pump. Runs on the I/O thread, with
// one exception: a direct write. When the user flushes a message while the engine sleeps with
// nothing to write, the user thread writes it to the socket itself (write_directly), saving the
// wake-up of this thread on the latency path; write_mtx_ guards what both threads then touch.
// Otherwise the pipe's io_wakers kick it (through the loop's kick_queue) when the user side
// crosses an edge.
#include "net/zmtp_engine.hpp"

#include "net/frame_codec.hpp"
#include "net/greeting.hpp"
#include "net/tcp_stream.hpp"
#include "net/write_batch.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

namespace cafmq::net {

namespace asio = boost::asio;

namespace {

constexpr size_t read_buffer_size = 64 * 1024;
constexpr size_t write_batch_target = 256 * 1024;
constexpr size_t direct_read_threshold = 16 * 1024;
constexpr size_t small_read = 4 * 1024;
constexpr size_t max_deferred_read = 1024 * 1024;
constexpr size_t max_reads_per_turn = 16;           // do_read: then other engines get a turn,
constexpr size_t max_bytes_per_turn = 1024 * 1024;  // or after this much
constexpr size_t max_frames_per_message = size_t{1} << 20;  // 32 MiB of frames at most
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

class engine final : public zmtp_engine, public kickable, public std::enable_shared_from_this<engine> {
public:
  engine(io_loop& loop, stream_ptr s, mechanism_ptr mech, pipe_ptr p, const engine_settings& cfg,
         std::shared_ptr<engine_observer> obs)
    : ctx_(*static_cast<asio::io_context*>(loop.native())),
      kicks_(loop.kicks()),
      stream_(std::move(s)),
      mech_(std::move(mech)),
      pipe_(std::move(p)),
      cfg_(cfg),
      observer_(std::move(obs)),
      timer_(ctx_),
      hb_timer_(ctx_),
      hb_(cfg.heartbeat),
      decoder_(cfg.handshake_frame_limit),
      rbuf_(read_buffer_size) {
    peer_name_ = remote_name(*stream_);
  }

  void run() {
    boost::system::error_code nb;
    stream_->socket.non_blocking(true, nb);  // do_read's own reads must never block the thread
    if (nb)
      return shut("cannot make the socket non-blocking: " + nb.message(), true);
    auto greeting = make_greeting(mech_->name(), mech_->as_server());
    out_.add_raw(greeting.data(), greeting.size());  // all 64 bytes at once, without waiting
    if (cfg_.handshake_ivl_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(cfg_.handshake_ivl_ms));
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec && self->phase_ != phase::ready)
          self->shut("handshake not finished within "
                       + std::to_string(self->cfg_.handshake_ivl_ms) + " ms (handshake_ivl)",
                     true);
      });
    }
    do_write();
    do_read();
  }

  void close(const std::string& reason) override {
    asio::post(ctx_, [self = shared_from_this(), reason] { self->shut(reason, false); });
  }

private:
  enum class phase { greeting, handshake, ready, closed };

  // -- reading --

  // One read's destination: straight into a large frame's body (whatever is left of it, so a
  // body the kernel hands over in pieces is never finished through rbuf_), with a little of
  // rbuf_ behind it for the next frame's header (so a stream of large frames costs one read
  // each and no copy), or rbuf_ after what it holds.
  struct read_plan {
    std::array<asio::mutable_buffer, 2> into;
    size_t direct = 0;  // body bytes asked for straight into the frame (0: a buffered read)
  };

  read_plan plan_read() {
    auto [target, want] = decoder_.direct_target();
    if (target != nullptr && rbeg_ == rend_ && decoder_.body_size() >= direct_read_threshold) {
      rbeg_ = rend_ = 0;
      return {{asio::buffer(target, want), asio::buffer(rbuf_.data(), small_read)}, want};
    }
    if (rbeg_ == rend_) {
      rbeg_ = rend_ = 0;
    } else if (rbeg_ > 0) {
      std::memmove(rbuf_.data(), rbuf_.data() + rbeg_, rend_ - rbeg_);
      rend_ -= rbeg_;
      rbeg_ = 0;
    }
    // After a large frame, read little into the buffer so the next large body is mostly read
    // straight into its frame instead of being copied out of the buffer.
    size_t room = rbuf_.size() - rend_;
    if (large_frames_)
      room = std::min(room, small_read);
    return {{asio::buffer(rbuf_.data() + rend_, room), asio::mutable_buffer{}}, 0};
  }

  void on_read(const read_plan& plan, size_t n) {
    note_traffic();
    read_since_publish_ += n;
    if (plan.direct > 0) {
      decoder_.direct_filled(std::min(n, plan.direct));
      rend_ = n > plan.direct ? n - plan.direct : 0;
    } else {
      rend_ += n;
    }
    process();
  }

  // Reads until the kernel has nothing more, then waits for it. After a completed read
  // (`after_read`), more reads are made right here rather than through the scheduler (which
  // polls epoll between handlers), up to max_reads_per_turn of them and max_bytes_per_turn in
  // all, then other engines on this I/O thread get their turn. What a burst decoded is
  // published once, when a read finds nothing: one wake-up of the reader for the burst.
  // (Publishing at a short read instead measured worse: more data has often arrived by the next
  // read.) Messages are always published before waiting: nothing decoded waits on the network.
  void do_read(bool after_read = false) {
    size_t read_this_turn = 0;
    for (size_t turn = 0;; ++turn) {
      if (reading_ || paused_ || phase_ == phase::closed || !closing_reason_.empty())
        return;  // closing after an ERROR: what the peer sends next is not read
      auto plan = plan_read();
      if (after_read && turn < max_reads_per_turn && read_this_turn < max_bytes_per_turn) {
        boost::system::error_code ec;
        size_t n = stream_->socket.read_some(plan.into, ec);
        if (!ec) {
          read_this_turn += n;
          on_read(plan, n);
          continue;
        }
        if (ec != asio::error::would_block && ec != asio::error::try_again
            && ec != asio::error::interrupted)
          return on_read_error(ec);
      }
      publish_decoded();
      reading_ = true;
      stream_->socket.async_read_some(
        plan.into, [self = shared_from_this(), plan](boost::system::error_code ec, size_t n) {
          self->reading_ = false;
          if (ec)
            return self->on_read_error(ec);
          self->on_read(plan, n);
          self->do_read(true);
        });
      return;
    }
  }

  void on_read_error(boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted)
      return;
    shut(ec == asio::error::eof ? "connection closed by peer" : "read failed: " + ec.message(),
         true);
  }

  void process() {
    if (phase_ == phase::greeting && !read_greeting())
      return;
    while (phase_ != phase::closed && closing_reason_.empty()) {  // nothing more after ERROR
      if (complete_ && !deliver())
        break;
      if (short_path_open())
        take_short_messages();
      const uint8_t* p = rbuf_.data() + rbeg_;
      uint8_t flags = 0;
      frame body;
      auto r = decoder_.next(p, rbuf_.data() + rend_, flags, body);
      rbeg_ = static_cast<size_t>(p - rbuf_.data());
      if (r == frame_decoder::result::need_more)
        break;
      if (r == frame_decoder::result::error)
        return shut("protocol error: " + decoder_.error_text(), false);
      if (cipher_ && phase_ == phase::ready && !unwrap(flags, body))
        return;
      if (flags & flag::command) {
        on_command(body);
        continue;
      }
      if (phase_ != phase::ready)
        return shut("protocol error: message frame before the handshake completed", false);
      large_frames_ = body.size() >= direct_read_threshold;
      incoming_bytes_ += body.size();
      if (incoming_bytes_ > cfg_.max_frame_size)  // frames each within the limit, but not all
        return shut("protocol error: a message of more than " + std::to_string(cfg_.max_frame_size)
                      + " bytes (maxmsgsize) in " + std::to_string(incoming_.size() + 1) + " frames",
                    false);
      if (incoming_.size() >= max_frames_per_message)  // empty frames cost memory, not bytes
        return shut("protocol error: a message of more than "
                      + std::to_string(max_frames_per_message) + " frames",
                    false);
      incoming_.add(std::move(body));
      complete_ = (flags & flag::more) == 0;
      if (complete_) {
        incoming_bytes_ = 0;
        if (cfg_.subscription_rules && incoming_.size() == 1 && is_subscription(incoming_)
            && !subscription_allowed(incoming_[0].data(), incoming_[0].size())) {
          incoming_.clear();  // a ZMTP 3.0 subscription the rules refuse: the pattern never sees it
          complete_ = false;
        }
      }
    }
    if (must_publish_now())
      publish_decoded();  // else do_read publishes once the burst is read
    do_write();
  }

  // The short-message path applies between messages, after the handshake, without a cipher or
  // subscription rules (which look at each message) and with a decoder between frames.
  bool short_path_open() const noexcept {
    return phase_ == phase::ready && !complete_ && incoming_.empty() && !cipher_
           && !cfg_.subscription_rules && decoder_.between_frames();
  }

  // The common case in bulk: whole one-frame messages of up to frame::inline_capacity bytes
  // (flags byte 0) go straight into the receive ring's slots, skipping the decoder and the
  // partial-message checks (a single short frame passes them all but maxmsgsize, checked here).
  // Stops at anything else, at a frame not wholly read, or at a full ring: the general path
  // takes over from there, byte for byte where this one stopped.
  void take_short_messages() {
    auto& ring = pipe_->inbound();
    const uint8_t* p = rbuf_.data() + rbeg_;
    const uint8_t* end = rbuf_.data() + rend_;
    const size_t limit = std::min<uint64_t>(frame::inline_capacity, cfg_.max_frame_size);
    const uint8_t* start = p;
    while (end - p >= 2 && p[0] == 0 && p[1] <= limit
           && static_cast<size_t>(end - p) >= size_t{2} + p[1] && ring.try_push_copy(p + 2, p[1]))
      p += 2 + p[1];
    if (p != start)
      large_frames_ = false;
    rbeg_ = static_cast<size_t>(p - rbuf_.data());
  }

  // Decoded messages wait unpublished while a burst is read, but never more than a quarter of
  // the ring, nor while more than max_deferred_read bytes are read (a small message does not
  // wait for the whole of a large one behind it).
  bool must_publish_now() {
    auto& ring = pipe_->inbound();
    return phase_ == phase::ready
           && (ring.unpublished() >= ring.hwm() / 4 + 1 || read_since_publish_ >= max_deferred_read);
  }

  void publish_decoded() {
    read_since_publish_ = 0;
    if (phase_ == phase::ready)
      pipe_->inbound().flush();
  }

  bool read_greeting() {
    size_t take = std::min(greeting_size - greeting_have_, rend_ - rbeg_);
    std::memcpy(greeting_ + greeting_have_, rbuf_.data() + rbeg_, take);
    greeting_have_ += take;
    rbeg_ += take;
    auto check = check_greeting(greeting_, greeting_have_, mech_->name());
    if (check.state == greeting_check::status::failed) {
      shut("handshake failed: " + check.error, false);
      return false;
    }
    if (check.state == greeting_check::status::need_more)
      return false;
    minor_ = check.minor;
    phase_ = phase::handshake;
    std::vector<bytes> cmds;
    return after_mechanism_step(mech_->start(cmds), cmds);
  }

  // Moves the completed incoming message into the inbound ring; false (reads paused) when full.
  bool deliver() {
    auto& ring = pipe_->inbound();
    while (!ring.try_push(incoming_)) {
      ring.flush();
      if (ring.writer_sleep()) {
        paused_ = true;  // a full receive ring pauses reads: TCP pushes back on the sender
        return false;
      }
    }
    complete_ = false;
    return true;
  }

  void on_command(const frame& body) {
    std::vector<bytes> cmds;
    if (phase_ == phase::handshake) {
      after_mechanism_step(mech_->on_command(body.data(), body.size(), cmds), cmds);
      return;
    }
    auto cmd = parse_command(body.data(), body.size());
    if (!cmd)
      return shut("protocol error: malformed command", false);
    if (cmd->name == "ERROR") {
      auto why = parse_error_reason(cmd->data, cmd->size);
      return shut("peer sent ERROR: " + why.value_or("(malformed reason)"), false);
    }
    if (cmd->name == "SUBSCRIBE" || cmd->name == "CANCEL") {
      if (cfg_.subscriptions != subscription_role::publisher)
        return;  // a subscriber or a pattern without subscriptions ignores them (libzmq too)
      if (!incoming_.empty())
        return shut("protocol error: " + std::string(cmd->name)
                      + " command inside a multipart message",
                    false);
      if (cfg_.subscription_rules) {
        uint8_t marker = cmd->name == "SUBSCRIBE" ? 1 : 0;
        bytes legacy{marker};
        legacy.insert(legacy.end(), cmd->data, cmd->data + cmd->size);
        if (!subscription_allowed(legacy.data(), legacy.size()))
          return;
      }
      // Delivered like the legacy 3.0 form, so the socket sees one kind of subscription.
      frame sub = frame::uninitialized(cmd->size + 1);
      sub.mutable_data()[0] = cmd->name == "SUBSCRIBE" ? 1 : 0;
      if (cmd->size > 0)
        std::memcpy(sub.mutable_data() + 1, cmd->data, cmd->size);
      incoming_.add(std::move(sub));
      complete_ = true;  // the process loop delivers it before the next frame
      return;
    }
    if (cmd->name == "PING")
      return on_ping(*cmd);
    // Other commands (PONG, SUBSCRIBE, CANCEL...) are handled by later layers or ignored.
  }

  bool after_mechanism_step(mechanism::status st, const std::vector<bytes>& cmds) {
    for (auto& c : cmds)
      queue_command(c);
    if (st == mechanism::status::failed) {
      auto& f = mech_->failure();
      if (f.send_error) {
        queue_command(make_error_command(f.error_reason.empty() ? f.reason : f.error_reason));
        closing_reason_ = "handshake failed: " + f.reason;
        do_write();
      } else {
        shut("handshake failed: " + f.reason, false);
      }
      return false;
    }
    if (st == mechanism::status::ready)
      become_ready();
    else
      ask_authenticator();
    return true;
  }

  // A server mechanism wants a client judged: the authenticator answers later, on any thread;
  // the answer comes back here through the I/O thread. handshake_ivl bounds the wait.
  void ask_authenticator() {
    auto request = mech_->take_auth_request();
    if (!request)
      return;
    boost::system::error_code ec;
    auto remote = stream_->socket.remote_endpoint(ec);
    if (!ec)
      request->address = remote.address().to_string();
    if (!cfg_.authenticator)
      return on_auth_reply({500, "no authenticator configured", {}});
    std::weak_ptr<engine> weak = shared_from_this();
    cfg_.authenticator->authenticate(*request, [weak](const auth_reply& reply) {
      if (auto self = weak.lock())
        asio::post(self->ctx_, [self, reply] { self->on_auth_reply(reply); });
    });
  }

  void on_auth_reply(const auth_reply& reply) {
    if (phase_ != phase::handshake)
      return;  // closed meanwhile (handshake_ivl, peer gone)
    std::vector<bytes> cmds;
    if (after_mechanism_step(mech_->on_auth_reply(reply, cmds), cmds))
      do_write();
  }

  // CURVE: a frame after the handshake is a MESSAGE; replaces it with the frame it carries.
  // False (connection closed) if it is malformed, forged or replayed.
  bool unwrap(uint8_t& flags, frame& body) {
    uint8_t inner = 0;
    frame plain;
    if (auto why = cipher_->decode(body.data(), body.size(), inner, plain)) {
      shut("protocol error: " + *why, false);
      return false;
    }
    body = std::move(plain);
    flags = static_cast<uint8_t>(((inner & 0x01) ? flag::more : 0)
                                 | ((inner & 0x02) ? flag::command : 0));
    return true;
  }

  // Publishers with subscription rules: may the peer's identity subscribe to this prefix? A
  // subscription (first byte 1) outside the rules is counted; its cancel is dropped silently.
  bool subscription_allowed(const uint8_t* sub, size_t size) {
    std::string_view prefix(reinterpret_cast<const char*>(sub + 1), size - 1);
    if (cfg_.subscription_rules->may_subscribe(user_id_, prefix))
      return true;
    if (sub[0] == 1) {
      if (cfg_.refused_subscriptions)
        cfg_.refused_subscriptions->fetch_add(1, std::memory_order_relaxed);
      log::write(log::level::info, "engine", peer_name_ + ": subscription refused for "
                   + (user_id_.empty() ? std::string("an unauthenticated peer") : "identity " + user_id_));
    }
    return false;
  }

  void become_ready() {
    phase_ = phase::ready;
    timer_.cancel();
    start_heartbeats();
    cipher_ = mech_->take_cipher();
    user_id_ = mech_->user_id();
    // A wrapped frame is larger than the frame it carries.
    uint64_t wrap = cipher_ ? cipher_->encoded_size(0) : 0;
    decoder_.set_max_frame_size(cfg_.max_frame_size > UINT64_MAX / 2 ? cfg_.max_frame_size
                                                                      : cfg_.max_frame_size + wrap);
    fd_ = stream_->socket.native_handle();
    std::weak_ptr<engine> weak = shared_from_this();
    pipe_->io().set_target([weak] {
      if (auto self = weak.lock()) {
        auto& kicks = self->kicks_;
        kicks.kick(std::move(self));  // the queue keeps the engine alive until it runs
      }
    });
    pipe_->io_out().set_target([weak] {  // on the user thread, inside its flush
      if (auto self = weak.lock())
        self->on_user_flush();
    });
    peer_info info;
    info.properties = mech_->peer_metadata();
    info.user_id = user_id_;
    info.public_key = mech_->peer_public_key();
    boost::system::error_code ec;
    auto remote = stream_->socket.remote_endpoint(ec);
    if (!ec)
      info.address = remote.address().to_string();
    info.zmtp_minor = minor_;
    observer_->on_ready(info);
    if (pipe_->closed_by_user())
      shut("closed by the socket", false);
  }

  void on_kick() override {
    if (pipe_->closed_by_user())
      return shut("closed by the socket", false);
    if (paused_) {
      paused_ = false;
      process();
      do_read();
    }
    do_write();
  }

  // -- heartbeats (RFC 37) --

  void start_heartbeats() {
    if (minor_ < 1)
      return;  // PING and PONG are ZMTP 3.1 commands: a 3.0 peer gets none
    hb_on_ = true;
    if (cfg_.heartbeat.ivl_ms <= 0)
      return;  // we send none, but still honour a TTL the peer's PINGs ask for
    auto now = heartbeat::clock::now();
    hb_.start(now);
    arm_heartbeat(now + std::chrono::milliseconds(cfg_.heartbeat.ivl_ms));
  }

  // Once per read callback, not per frame: the only cost heartbeats add to the data path.
  void note_traffic() {
    if (hb_on_ && hb_.active())
      hb_.on_traffic(heartbeat::clock::now());
  }

  void on_ping(const command_view& cmd) {
    if (hb_on_ && cmd.size >= 2) {
      auto ttl = static_cast<uint16_t>((cmd.data[0] << 8) | cmd.data[1]);
      if (auto deadline = hb_.on_peer_ttl(ttl, heartbeat::clock::now()))
        arm_heartbeat(*deadline);
    }
    // RFC 37: echo at most 16 context bytes of this PING; a body too short for a TTL has none.
    size_t ctx_len = cmd.size >= 2 ? std::min<size_t>(cmd.size - 2, 16) : 0;
    queue_command(make_command("PONG", ctx_len > 0 ? cmd.data + 2 : nullptr, ctx_len));
  }

  // One timer serves all heartbeat deadlines: re-armed only when a deadline comes earlier; a
  // tick recomputes everything from the timestamps, so a stale tick is harmless.
  void arm_heartbeat(heartbeat::time_point at) {
    if (hb_armed_ && at >= hb_armed_for_)
      return;
    hb_armed_ = true;
    hb_armed_for_ = at;
    hb_timer_.expires_at(at);
    hb_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec != asio::error::operation_aborted)
        self->on_heartbeat_tick();
    });
  }

  void on_heartbeat_tick() {
    hb_armed_ = false;
    if (phase_ != phase::ready)
      return;
    auto r = hb_.tick(heartbeat::clock::now());
    if (r.dead)
      return shut(*r.dead, true, close_cause::heartbeat_timeout);
    if (r.send_ping) {
      auto data = hb_.ping_data();
      queue_command(make_command("PING", data.data(), data.size()));
      do_write();
    }
    if (r.next)
      arm_heartbeat(*r.next);
  }

  // Queues a command: into out_ when no write uses it, else framed (and encrypted, once CURVE
  // is on) now and appended after that write (appending to out_ during it could move the arena
  // under the kernel's feet, and the write's completion clears out_).
  void queue_command(const bytes& body) {
    std::lock_guard<std::mutex> guard{write_mtx_};  // the user thread may be writing directly
    if (writing_)
      pending_frames_.push_back(framed_command(body));
    else
      add_command_out(body);
  }

  // A whole command frame as bytes, wrapped if CURVE is on; under write_mtx_ (the nonce).
  bytes framed_command(const bytes& body) {
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
  void add_command_out(const bytes& body) {
    if (cipher_)
      out_.add_command(body, *cipher_);
    else
      out_.add_command(body);
  }

  // Under write_mtx_, with no write in flight.
  void take_pending_frames() {
    for (auto& f : pending_frames_)
      out_.add_raw(f.data(), f.size());
    pending_frames_.clear();
  }

  // -- writing --

  void post_kick() { kicks_.kick(shared_from_this()); }

  void do_write() {
    std::string close_now;
    {
      std::lock_guard<std::mutex> guard{write_mtx_};
      if (writing_ || phase_ == phase::closed)
        return;
      take_pending_frames();
      if (phase_ == phase::ready && closing_reason_.empty())
        fill_from_pipe();
      if (!out_.empty())
        return start_write();
      if (closing_reason_.empty())
        return;
      close_now = closing_reason_;
    }
    shut(close_now, false);
  }

  // Under write_mtx_: one gathered write of out_ in flight.
  void start_write() {
    pieces_.clear();
    out_.for_each_piece([this](const uint8_t* p, size_t n) { pieces_.emplace_back(p, n); });
    writing_ = true;
    pipe_->io_writing.store(true, std::memory_order_release);
    async_write_all(stream_->socket, pieces_,
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        {
                          std::lock_guard<std::mutex> guard{self->write_mtx_};
                          self->writing_ = false;
                          self->pipe_->io_writing.store(false, std::memory_order_release);
                          self->out_.clear();
                          self->take_pending_frames();  // a PONG queued meanwhile goes next
                        }
                        if (ec) {
                          if (ec != asio::error::operation_aborted)
                            self->shut("write failed: " + ec.message(), true);
                          return;
                        }
                        self->do_write();
                      });
  }

  // The user thread flushed the outbound ring while this engine slept on it. If nothing else is
  // being written, write right here; else (or if that cannot finish) kick the I/O thread. Never
  // blocks: the lock is only tried, the socket written without waiting.
  void on_user_flush() {
    std::unique_lock<std::mutex> lock{write_mtx_, std::try_to_lock};
    if (lock.owns_lock() && phase_ == phase::ready && !writing_ && out_.empty()
        && closing_reason_.empty()) {
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
  bool write_directly() {
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
  void keep_unsent(const iovec* iov, size_t count, size_t sent) {
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

  // Under write_mtx_ (the ring's reader side belongs to whoever holds it).
  void fill_from_pipe() {
    auto& ring = pipe_->outbound();
    spsc_ring::read_guard reading{ring};  // drop_oldest: excludes the writer's discards (per batch)
    for (;;) {
      while (out_.size() < write_batch_target) {
        const message* m = ring.front();  // encoded in place: no move out of the slot
        if (m == nullptr)
          break;
        if (cfg_.subscriptions == subscription_role::subscriber && minor_ >= 1 && is_subscription(*m))
          add_subscription_command(*m);
        else if (cipher_)
          out_.add_message(*m, *cipher_);
        else
          out_.add_message(*m);
        ring.pop_front();
      }
      if (!out_.empty()) {
        idle_ = false;
        return;
      }
      if (ring.reader_sleep()) {  // empty: the next flush kicks us (or writes directly)
        if (!idle_) {  // just drained; re-arming after a read changes nothing
          idle_ = true;
          idle_since_ = std::chrono::steady_clock::now();
        }
        return;
      }
    }
  }

  static bool is_subscription(const message& m) {
    return m.size() == 1 && !m[0].empty() && m[0].data()[0] <= 1;
  }

  // RFC 37: a ZMTP 3.1 peer gets SUBSCRIBE/CANCEL commands instead of legacy data frames.
  void add_subscription_command(const message& m) {
    const frame& f = m[0];
    add_command_out(make_command(f.data()[0] == 1 ? "SUBSCRIBE" : "CANCEL", f.data() + 1,
                                 f.size() - 1));
  }

  // -- closing --

  void shut(const std::string& reason, bool may_reconnect,
            close_cause cause = close_cause::other) {
    if (phase_ == phase::closed)
      return;
    bool was_ready = phase_ == phase::ready;
    timer_.cancel();
    hb_timer_.cancel();
    {
      std::lock_guard<std::mutex> guard{write_mtx_};  // no direct write may use the closing fd
      phase_ = phase::closed;
      boost::system::error_code ec;
      stream_->socket.close(ec);
    }
    if (was_ready) {
      pipe_->inbound().flush();  // whole messages decoded before the failure are still delivered
      pipe_->io().set_target(nullptr);
      pipe_->io_out().set_target(nullptr);
    }
    pipe_->io_writing.store(false, std::memory_order_release);
    incoming_.clear();  // a partial message is never delivered
    log::write(log::level::info, "engine", peer_name_ + ": closed: " + reason);
    auto obs = std::move(observer_);
    obs->on_closed(reason, may_reconnect, cause);
  }

  asio::io_context& ctx_;
  kick_queue& kicks_;
  stream_ptr stream_;
  mechanism_ptr mech_;
  pipe_ptr pipe_;
  engine_settings cfg_;
  std::shared_ptr<engine_observer> observer_;
  asio::steady_timer timer_;
  asio::steady_timer hb_timer_;  // heartbeats, once ready (ZMTP 3.1 peers only)
  heartbeat hb_;
  bool hb_on_ = false;           // hb_ is used: the peer speaks ZMTP 3.1
  bool hb_armed_ = false;
  heartbeat::time_point hb_armed_for_{};
  std::string peer_name_;
  phase phase_ = phase::greeting;
  uint8_t minor_ = 1;
  std::string closing_reason_;  // set when an ERROR is queued: close once it is written

  uint8_t greeting_[greeting_size] = {};
  size_t greeting_have_ = 0;
  frame_decoder decoder_;
  std::vector<uint8_t> rbuf_;
  size_t rbeg_ = 0;
  size_t rend_ = 0;
  bool reading_ = false;
  bool paused_ = false;
  bool large_frames_ = false;  // the last data frame was large: expect more of them
  message incoming_;
  uint64_t incoming_bytes_ = 0;  // the bytes of incoming_ (a multipart message in progress)
  size_t read_since_publish_ = 0;  // bytes read since decoded messages were last published
  bool complete_ = false;
  std::string user_id_;  // the peer's authenticated identity, once ready

  // CURVE: wraps and unwraps every frame once ready. Encoding happens under write_mtx_ (a direct
  // write encodes too), decoding on the I/O thread only.
  std::unique_ptr<frame_cipher> cipher_;

  // Guards what a direct write shares with the I/O thread once ready: out_, writing_, the
  // outbound ring's reader side, phase_ becoming closed, and the socket's file descriptor.
  std::mutex write_mtx_;
  write_batch out_;
  std::vector<asio::const_buffer> pieces_;
  std::vector<bytes> pending_frames_;  // commands framed while out_ was being written
  bool writing_ = false;
  int fd_ = -1;
  bool idle_ = true;  // nothing of ours to write since idle_since_ (the outbound ring drained)
  std::chrono::steady_clock::time_point idle_since_{};
};

} // namespace

std::shared_ptr<zmtp_engine> zmtp_engine::start(io_loop& loop, stream_ptr s, mechanism_ptr mech,
                                                pipe_ptr p, const engine_settings& settings,
                                                std::shared_ptr<engine_observer> observer) {
  auto e = std::make_shared<engine>(loop, std::move(s), std::move(mech), std::move(p), settings,
                                    std::move(observer));
  asio::post(*static_cast<asio::io_context*>(loop.native()), [e] { e->run(); });
  return e;
}

} // namespace cafmq::net
