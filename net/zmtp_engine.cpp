// zmtp_engine_impl, the connection's lifecycle: start, handshake and mechanism, commands,
// heartbeats (RFC 37), closing. See zmtp_engine_impl.hpp.
#include "net/zmtp_engine_impl.hpp"

#include "net/memory_trim.hpp"
#include "net/tcp_stream.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/post.hpp>

#include <string>
#include <utility>
#include <vector>

namespace cafmq::net {

namespace asio = boost::asio;

namespace {

// What a client hears when its server's authenticator did not answer in time: the status code a
// failed ZAP handler stands for (RFC 27 §Error Handling), as libzmq sends it.
constexpr const char* auth_internal_error = "500";

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
    decoder_(cfg.handshake_frame_limit) {
  peer_name_ = remote_name(*stream_);
}

void zmtp_engine_impl::run() noexcept {
  guard([this] { begin(); });
}

void zmtp_engine_impl::begin() {
  boost::system::error_code nb;
  stream_->socket.non_blocking(true, nb);  // do_read's own reads must never block the thread
  if (nb)
    return shut(stream_end(nb, "cannot make the socket non-blocking"));
  greeting_plan plan;
  plan.mechanism = std::string(mech_->name());
  plan.as_server = mech_->as_server();
  if (plan.mechanism != "NULL")
    plan.no_downgrade_because = "this socket uses " + plan.mechanism;
  else if (cfg_.legacy.zap_domain)
    plan.no_downgrade_because = "this socket has a ZAP domain (a legacy peer cannot be "
                                "authenticated)";
  plan.identity = cfg_.legacy.identity;
  plan.socket_type = cfg_.legacy.socket_type;
  greeting_.emplace(std::move(plan));
  queue_greeting();  // NULL: the signature; else all 64 bytes at once, without waiting
  if (observer_)
    observer_->on_handshake_activity(false);
  if (cfg_.handshake_ivl_ms > 0)
    arm_deadline(cfg_.handshake_ivl_ms);
  do_write();
  // Bytes already waiting (a peer that wrote its whole handshake at once) are read now, not a
  // trip through the scheduler later: its listener sees the progress at once.
  do_read(true);
}

// The handshake deadline: handshake_ivl from the start, or (handshake_ivl 0) a fallback armed
// only while the authenticator is asked, so that no verdict is awaited forever.
void zmtp_engine_impl::arm_deadline(int ms) {
  timer_.expires_after(std::chrono::milliseconds(ms));
  timer_.async_wait([self = shared_from_this(), ms](boost::system::error_code ec) {
    if (!ec)
      self->guard([&] { self->on_handshake_deadline(ms); });
  });
}

void zmtp_engine_impl::on_handshake_deadline(int after_ms) {
  if (phase_ == phase::ready || phase_ == phase::closed || closing_)
    return;
  if (!auth_pending_) {
    if (cfg_.handshake_ivl_ms > 0)  // else the fallback deadline of a verdict that came
      shut(transient_end(event_reason::timeout, "handshake not finished within "
                                                  + std::to_string(after_ms)
                                                  + " ms (handshake_ivl)"));
    return;
  }
  auth_pending_ = false;  // a late verdict is ignored
  close_after_error(make_error_command(auth_internal_error),
                    transient_end(event_reason::timeout, "authenticator did not answer within "
                                                           + std::to_string(after_ms) + " ms"));
}

void zmtp_engine_impl::close(connection_end end) {
  asio::post(ctx_, [self = shared_from_this(), end = std::move(end)] {
    self->guard([&] { self->shut(end); });
  });
}

void zmtp_engine_impl::close_if_handshaking(connection_end end) {
  asio::post(ctx_, [self = shared_from_this(), end = std::move(end)] {
    if (self->phase_ != phase::ready)
      self->guard([&] { self->shut(end); });
  });
}

void zmtp_engine_impl::on_command(const frame& body) {
  std::vector<bytes> cmds;
  if (phase_ == phase::handshake) {
    after_mechanism_step(mech_->on_command(body.data(), body.size(), cmds), cmds);
    return;
  }
  auto cmd = parse_command(body.data(), body.size());
  if (!cmd)
    return shut(permanent_end(event_reason::protocol, "protocol error: malformed command"));
  if (cmd->name == "ERROR") {
    auto why = parse_error_reason(cmd->data, cmd->size);
    return shut(permanent_end(why ? error_command_code(*why) : event_reason::peer_error,
                              error_command_detail(why)));
  }
  if (cmd->name == "SUBSCRIBE" || cmd->name == "CANCEL") {
    if (cfg_.subscriptions != subscription_role::publisher)
      return;  // a subscriber or a pattern without subscriptions ignores them (libzmq too)
    if (!incoming_.empty())
      return shut(permanent_end(event_reason::protocol,
                                "protocol error: " + std::string(cmd->name)
                                  + " command inside a multipart message"));
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
  // Other commands once ready (PONG, unknown names) are ignored, as libzmq does.
}

bool zmtp_engine_impl::after_mechanism_step(mechanism::status st, const std::vector<bytes>& cmds) {
  for (auto& c : cmds)
    queue_command(c);
  if (st == mechanism::status::failed) {
    auto& f = mech_->failure();
    auto end = permanent_end(auth_faulted_ ? event_reason::internal : f.code, "handshake failed: " + f.reason);
    if (f.send_error)
      close_after_error(make_error_command(f.error_reason.empty() ? f.reason : f.error_reason),
                        std::move(end));
    else
      shut(end);
    return false;
  }
  if (st == mechanism::status::ready)
    become_ready();
  else
    ask_authenticator();
  return true;
}

// A server mechanism wants a client judged. The authenticator is called on the auth executor
// (never this thread: it may block or throw) and answers later, on any thread; the verdict comes
// back here through the I/O thread, if the engine still exists. The handshake deadline bounds
// the wait (handshake_ivl, else auth_fallback_deadline_ms); a late verdict is ignored.
void zmtp_engine_impl::ask_authenticator() {
  auto request = mech_->take_auth_request();
  if (!request)
    return;
  request->address = peer_address(*stream_);
  request->peer_process = peer_process(*stream_);
  auth_pending_ = true;
  if (observer_)
    observer_->on_auth_wait(true);
  if (!cfg_.authenticator)
    return on_auth_reply({500, "no authenticator configured", {}});
  if (cfg_.handshake_ivl_ms <= 0)
    arm_deadline(cfg_.auth_fallback_deadline_ms);
  std::weak_ptr<zmtp_engine_impl> weak = shared_from_this();
  auto deliver = [weak](const auth_reply& reply, bool faulted) {
    if (auto self = weak.lock()) {
      auto& ctx = self->ctx_;
      asio::post(ctx, [self = std::move(self), reply, faulted] {
        self->guard([&] { self->on_auth_reply(reply, faulted); });
      });
    }
  };
  auto done = [deliver](const auth_reply& reply) { deliver(reply, false); };
  auto call = [auth = cfg_.authenticator, request = std::move(*request), done, deliver] {
    try {
      auth->authenticate(request, done);
    } catch (const std::exception& e) {  // a verdict now, rather than the deadline's
      deliver({500, std::string("the authenticator failed: ") + e.what(), {}}, true);
    } catch (...) {
      deliver({500, "the authenticator failed", {}}, true);
    }
  };
  if (!cfg_.auth_executor)
    return call();
  if (!cfg_.auth_executor->post(std::move(call)))
    on_auth_reply({500, "the authenticator's queue is full", {}});
}

void zmtp_engine_impl::on_auth_reply(const auth_reply& reply, bool faulted) {
  if (phase_ != phase::handshake || !auth_pending_ || closing_)
    return;  // closed meanwhile (deadline, peer gone), or a second or late verdict
  auth_pending_ = false;
  if (observer_)
    observer_->on_auth_wait(false);
  auth_faulted_ = faulted;
  if (cfg_.handshake_ivl_ms <= 0)
    timer_.cancel();  // the fallback deadline
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
    shut(permanent_end(event_reason::protocol, "protocol error: " + *why));
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

// The greeting settled on ZMTP 2.0 or 1.0: no mechanism, no commands. The peer's socket type
// (from its greeting) is judged now; its identity frame, the first it sends, ends the handshake.
bool zmtp_engine_impl::start_legacy() {
  const auto& r = greeting_->result();
  legacy_ = greeting_->frame_format();
  minor_ = 0;  // no PING/PONG, subscriptions as messages
  phase_ = phase::handshake;
  const char* version = r.version == zmtp_version::v2 ? "ZMTP 2.0" : "ZMTP 1.0";
  log::write(log::level::info, "engine", peer_name_ + ": peer speaks " + version
                                            + ": downgraded (NULL mechanism)");
  if (r.peer_socket_type >= 0) {
    auto name = legacy_socket_type_name(r.peer_socket_type);
    if (name.empty()) {
      shut(permanent_end(event_reason::incompatible_socket_type,
                         "handshake failed: peer announces socket type "
                           + std::to_string(r.peer_socket_type) + ", which " + version
                           + " does not define"));
      return false;
    }
    legacy_peer_.add("Socket-Type", std::string(name));
    if (cfg_.legacy.validate) {
      if (auto refused = cfg_.legacy.validate(legacy_peer_)) {
        shut(permanent_end(refused->code, "handshake failed: " + refused->detail));
        return false;
      }
    }
  }
  decoder_.set_framing(legacy_);
  decoder_.set_max_frame_size(255);  // the identity frame: at most 255 bytes
  if (r.version != zmtp_version::v1_unversioned)
    return true;
  // An unversioned peer's greeting bytes are the start of its identity frame.
  const auto& head = greeting_->peer_bytes();
  const uint8_t* p = head.data();
  uint8_t flags = 0;
  frame body;
  auto res = decoder_.next(p, head.data() + head.size(), flags, body);
  if (res == frame_decoder::result::error) {
    shut(permanent_end(decoder_.error_code(),
                       "protocol error: identity frame: " + decoder_.error_text()));
    return false;
  }
  return res != frame_decoder::result::frame || take_legacy_identity(flags, body);
}

// A legacy peer's first frame is its identity (libzmq's routing id message); then data flows.
bool zmtp_engine_impl::take_legacy_identity(uint8_t flags, const frame& body) {
  if ((flags & flag::more) != 0) {
    shut(permanent_end(event_reason::protocol,
                       "protocol error: the peer's identity frame has the MORE flag"));
    return false;
  }
  legacy_peer_.add("Identity", body.to_string());
  become_ready();
  return phase_ == phase::ready;
}

void zmtp_engine_impl::become_ready() {
  phase_ = phase::ready;
  note_connection_ready();
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
  info.properties = legacy_ != framing::zmtp3 ? legacy_peer_ : mech_->peer_metadata();
  info.user_id = user_id_;
  info.public_key = mech_->peer_public_key();
  info.address = peer_address(*stream_);
  info.zmtp_minor = minor_;
  observer_->on_ready(info);
  if (pipe_->closed_by_user())
    shut(permanent_end(event_reason::local, "closed by the socket"));
}

void zmtp_engine_impl::on_kick() noexcept {
  guard([this] {
    if (pipe_->closed_by_user())
      return shut(permanent_end(event_reason::local, "closed by the socket"));
    if (paused_) {
      paused_ = false;
      process();
      do_read(true);  // reads until EAGAIN, then waits without a buffer if none is needed
    }
    do_write();
  });
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
      self->guard([&] { self->on_heartbeat_tick(); });
  });
}

void zmtp_engine_impl::on_heartbeat_tick() {
  hb_armed_ = false;
  if (phase_ != phase::ready)
    return;
  auto r = hb_.tick(heartbeat::clock::now());
  if (r.dead) {
    auto end = transient_end(event_reason::timeout, *r.dead);
    end.heartbeat = true;
    return shut(end);
  }
  if (r.send_ping) {
    auto data = hb_.ping_data();
    queue_command(make_command("PING", data.data(), data.size()));
    do_write();
  }
  if (r.next)
    arm_heartbeat(*r.next);
}

// Queues an ERROR command and closes with `end` once it is written; nothing more is read.
void zmtp_engine_impl::close_after_error(const bytes& error_command, connection_end end) {
  queue_command(error_command);
  closing_ = std::move(end);
  do_write();
}

// The exception boundary's verdict: this connection ends with code internal, and the observer
// hears it once, even when the exception came from inside shut() itself.
void zmtp_engine_impl::on_fault(const char* what) noexcept {
  end_on_fault(what, "engine", peer_name_, [this](const connection_end& e) { shut(e); },
               [this] { return std::move(observer_); });
}

void zmtp_engine_impl::shut(const connection_end& end) {
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
  rbuf_.release();
  rbeg_ = rend_ = 0;
  if (was_ready)
    note_ready_connection_closed();
  log::write(log::level::info, "engine", peer_name_ + ": closed: " + end.detail);
  auto obs = std::move(observer_);
  if (obs)
    obs->on_closed(end);
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
