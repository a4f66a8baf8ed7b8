// zmtp_engine_impl, the connection's lifecycle: start, handshake and mechanism, commands,
// heartbeats (RFC 37), closing. See zmtp_engine_impl.hpp.
#include "net/zmtp_engine_impl.hpp"

#include "net/tcp_stream.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/post.hpp>

#include <string>
#include <utility>
#include <vector>

namespace cafmq::net {

namespace asio = boost::asio;

namespace {

constexpr size_t read_buffer_size = 64 * 1024;

} // namespace

zmtp_engine_impl::zmtp_engine_impl(io_loop& loop, stream_ptr s, mechanism_ptr mech, pipe_ptr p,
                                   const engine_settings& cfg, std::shared_ptr<engine_observer> obs)
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

void zmtp_engine_impl::run() {
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

void zmtp_engine_impl::close(const std::string& reason) {
  asio::post(ctx_, [self = shared_from_this(), reason] { self->shut(reason, false); });
}

void zmtp_engine_impl::on_command(const frame& body) {
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

bool zmtp_engine_impl::after_mechanism_step(mechanism::status st, const std::vector<bytes>& cmds) {
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
void zmtp_engine_impl::ask_authenticator() {
  auto request = mech_->take_auth_request();
  if (!request)
    return;
  boost::system::error_code ec;
  auto remote = stream_->socket.remote_endpoint(ec);
  if (!ec)
    request->address = address_text(remote.address());
  if (!cfg_.authenticator)
    return on_auth_reply({500, "no authenticator configured", {}});
  std::weak_ptr<zmtp_engine_impl> weak = shared_from_this();
  cfg_.authenticator->authenticate(*request, [weak](const auth_reply& reply) {
    if (auto self = weak.lock())
      asio::post(self->ctx_, [self, reply] { self->on_auth_reply(reply); });
  });
}

void zmtp_engine_impl::on_auth_reply(const auth_reply& reply) {
  if (phase_ != phase::handshake)
    return;  // closed meanwhile (handshake_ivl, peer gone)
  std::vector<bytes> cmds;
  if (after_mechanism_step(mech_->on_auth_reply(reply, cmds), cmds))
    do_write();
}

// CURVE: a frame after the handshake is a MESSAGE; replaces it with the frame it carries.
// False (connection closed) if it is malformed, forged or replayed.
bool zmtp_engine_impl::unwrap(uint8_t& flags, frame& body) {
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
bool zmtp_engine_impl::subscription_allowed(const uint8_t* sub, size_t size) {
  std::string_view prefix(reinterpret_cast<const char*>(sub + 1), size - 1);
  if (cfg_.subscription_rules->may_subscribe(user_id_, prefix))
    return true;
  if (sub[0] == 1) {
    if (cfg_.refused_subscriptions)
      cfg_.refused_subscriptions->fetch_add(1, std::memory_order_relaxed);
    log::write(log::level::info, "engine",
               peer_name_ + ": subscription refused for "
                 + (user_id_.empty() ? std::string("an unauthenticated peer")
                                     : "identity " + user_id_));
  }
  return false;
}

void zmtp_engine_impl::become_ready() {
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
  std::weak_ptr<zmtp_engine_impl> weak = shared_from_this();
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
    info.address = address_text(remote.address());
  info.zmtp_minor = minor_;
  observer_->on_ready(info);
  if (pipe_->closed_by_user())
    shut("closed by the socket", false);
}

void zmtp_engine_impl::on_kick() {
  if (pipe_->closed_by_user())
    return shut("closed by the socket", false);
  if (paused_) {
    paused_ = false;
    process();
    do_read();
  }
  do_write();
}

void zmtp_engine_impl::start_heartbeats() {
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
void zmtp_engine_impl::note_traffic() {
  if (hb_on_ && hb_.active())
    hb_.on_traffic(heartbeat::clock::now());
}

void zmtp_engine_impl::on_ping(const command_view& cmd) {
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
void zmtp_engine_impl::arm_heartbeat(heartbeat::time_point at) {
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

void zmtp_engine_impl::on_heartbeat_tick() {
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

void zmtp_engine_impl::shut(const std::string& reason, bool may_reconnect, close_cause cause) {
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

std::shared_ptr<zmtp_engine> zmtp_engine::start(io_loop& loop, stream_ptr s, mechanism_ptr mech,
                                                pipe_ptr p, const engine_settings& settings,
                                                std::shared_ptr<engine_observer> observer) {
  auto e = std::make_shared<zmtp_engine_impl>(loop, std::move(s), std::move(mech), std::move(p),
                                              settings, std::move(observer));
  asio::post(*static_cast<asio::io_context*>(loop.native()), [e] { e->run(); });
  return e;
}

} // namespace cafmq::net
