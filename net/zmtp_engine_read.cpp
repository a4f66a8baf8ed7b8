// zmtp_engine_impl, reading: bursts of reads on the I/O thread, decoded into the inbound ring and
// published once per burst. See zmtp_engine_impl.hpp.
#include "net/zmtp_engine_impl.hpp"

#include "net/tcp_stream.hpp"
#include "runtime/core/fault_injection.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace cafmq::net {

namespace asio = boost::asio;

namespace {

constexpr size_t direct_read_threshold = 16 * 1024;
constexpr size_t small_read = 4 * 1024;
constexpr size_t max_deferred_read = 1024 * 1024;
constexpr size_t max_reads_per_turn = 16;           // do_read: then other engines get a turn,
constexpr size_t max_bytes_per_turn = 1024 * 1024;  // or after this much
constexpr size_t max_frames_per_message = size_t{1} << 20;  // 32 MiB of frames at most

} // namespace

zmtp_engine_impl::read_plan zmtp_engine_impl::plan_read() {
  // The buffer is taken here: small for the greeting and handshake, large once ready.
  rbuf_.reserve(phase_ == phase::ready ? read_buffer::large : read_buffer::small, rend_);
  auto [target, want] = decoder_.direct_target();
  if (target != nullptr && rbeg_ == rend_ && decoder_.body_size() >= direct_read_threshold) {
    rbeg_ = rend_ = 0;
    size_t tail = std::min(small_read, rbuf_.size());
    return {{asio::buffer(target, want), asio::buffer(rbuf_.data(), tail)}, want};
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
  if (rend_ == rbuf_.size())
    rbuf_.reserve(read_buffer::large, rend_);  // a handshake step larger than the small buffer
  size_t room = rbuf_.size() - rend_;
  if (large_frames_)
    room = std::min(room, small_read);
  return {{asio::buffer(rbuf_.data() + rend_, room), asio::mutable_buffer{}}, 0};
}

void zmtp_engine_impl::on_read(const read_plan& plan, size_t n) {
  note_traffic();
  if ((phase_ == phase::greeting || phase_ == phase::handshake) && observer_)
    observer_->on_handshake_activity(true);
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
void zmtp_engine_impl::do_read(bool after_read) {
  size_t read_this_turn = 0;
  for (size_t turn = 0;; ++turn) {
    if (reading_ || paused_ || phase_ == phase::closed || closing_)
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
      if (ec != asio::error::interrupted && rbeg_ == rend_)
        return wait_readable();  // drained, nothing buffered: wait without holding the buffer
    }
    publish_decoded();
    reading_ = true;
    stream_->socket.async_read_some(
      plan.into, [self = shared_from_this(), plan](boost::system::error_code ec, size_t n) {
        self->reading_ = false;
        self->guard([&] {
          CAFMQ_FAULT_POINT(engine);
          if (ec)
            return self->on_read_error(ec);
          self->on_read(plan, n);
          self->do_read(true);
        });
      });
    return;
  }
}

// The socket is drained and the buffer holds nothing: publishes what the burst decoded, gives
// the buffer back and waits for the socket to be readable (the kernel has nothing now, so the
// next arrival wakes the wait); then reads as after a completed read.
void zmtp_engine_impl::wait_readable() {
  publish_decoded();
  rbuf_.release();
  rbeg_ = rend_ = 0;
  reading_ = true;
  stream_->socket.async_wait(asio::socket_base::wait_read,
                             [self = shared_from_this()](boost::system::error_code ec) {
                               self->reading_ = false;
                               self->guard([&] {
                                 CAFMQ_FAULT_POINT(engine);
                                 if (ec)
                                   return self->on_read_error(ec);
                                 self->do_read(true);
                               });
                             });
}

void zmtp_engine_impl::on_read_error(boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted)
    return;
  shut(stream_end(ec, "read failed"));
}

void zmtp_engine_impl::process() {
  if (phase_ == phase::greeting && !read_greeting())
    return;
  while (phase_ != phase::closed && !closing_) {  // nothing more after ERROR
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
      return shut(permanent_end(decoder_.error_code(),
                                std::string("protocol error: ")
                                  + (phase_ == phase::handshake && legacy_ != framing::zmtp3
                                       ? "identity frame: "
                                       : "")
                                  + decoder_.error_text()));
    if (cipher_ && phase_ == phase::ready && !unwrap(flags, body))
      return;
    if (flags & flag::command) {
      on_command(body);
      continue;
    }
    if (phase_ != phase::ready) {
      if (legacy_ == framing::zmtp3)
        return shut(permanent_end(event_reason::protocol,
                                  "protocol error: message frame before the handshake completed"));
      if (!take_legacy_identity(flags, body))
        return;
      continue;
    }
    large_frames_ = body.size() >= direct_read_threshold;
    incoming_bytes_ += body.size();
    if (incoming_bytes_ > cfg_.max_frame_size)  // frames each within the limit, but not all
      return shut(permanent_end(event_reason::protocol,
                                "protocol error: a message of more than "
                                  + std::to_string(cfg_.max_frame_size) + " bytes (maxmsgsize) in "
                                  + std::to_string(incoming_.size() + 1) + " frames"));
    if (incoming_.size() >= max_frames_per_message)  // empty frames cost memory, not bytes
      return shut(permanent_end(event_reason::protocol,
                                "protocol error: a message of more than "
                                  + std::to_string(max_frames_per_message) + " frames"));
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
bool zmtp_engine_impl::short_path_open() const noexcept {
  return phase_ == phase::ready && !complete_ && incoming_.empty() && !cipher_
         && !cfg_.subscription_rules && decoder_.between_frames();
}

// The common case in bulk: whole one-frame messages of up to frame::inline_capacity bytes
// (flags byte 0) go straight into the receive ring's slots, skipping the decoder and the
// partial-message checks (a single short frame passes them all but maxmsgsize, checked here).
// Stops at anything else, at a frame not wholly read, or at a full ring: the general path
// takes over from there, byte for byte where this one stopped. Publishes whenever half the
// ring's slots are staged: the reader cannot take what it cannot see, and a ring that fills with
// unpublished messages grows although its reader keeps up.
void zmtp_engine_impl::take_short_messages() {
  auto& ring = pipe_->inbound();
  const uint8_t* p = rbuf_.data() + rbeg_;
  const uint8_t* end = rbuf_.data() + rend_;
  const size_t limit = std::min<uint64_t>(frame::inline_capacity, cfg_.max_frame_size);
  const uint8_t* start = p;
  size_t publish_at = publish_bound(ring);
  while (end - p >= 2 && p[0] == 0 && p[1] <= limit
         && static_cast<size_t>(end - p) >= size_t{2} + p[1] && ring.try_push_copy(p + 2, p[1])) {
    p += 2 + p[1];
    if (ring.unpublished() >= publish_at) {
      publish_decoded();
      publish_at = publish_bound(ring);
    }
  }
  if (p != start)
    large_frames_ = false;
  rbeg_ = static_cast<size_t>(p - rbuf_.data());
}

// Decoded messages wait unpublished while a burst is read, but never more than a quarter of
// the HWM or half the slots allocated now, nor while more than max_deferred_read bytes are read
// (a small message does not wait for the whole of a large one behind it).
size_t zmtp_engine_impl::publish_bound(const spsc_ring& ring) noexcept {
  return std::min(ring.hwm() / 4, ring.allocated_slots() / 2) + 1;
}

bool zmtp_engine_impl::must_publish_now() {
  auto& ring = pipe_->inbound();
  return phase_ == phase::ready
         && (ring.unpublished() >= publish_bound(ring) || read_since_publish_ >= max_deferred_read);
}

void zmtp_engine_impl::publish_decoded() {
  read_since_publish_ = 0;
  if (phase_ == phase::ready)
    pipe_->inbound().flush();
}

// Feeds the greeting exchange no more than it wants (frame bytes stay in rbuf_), sends what it
// says is due, and starts the mechanism (3.x) or the legacy handshake once it has settled.
bool zmtp_engine_impl::read_greeting() {
  for (size_t want = greeting_->wanted(); want > 0 && rbeg_ < rend_; want = greeting_->wanted()) {
    size_t take = std::min(want, rend_ - rbeg_);
    greeting_->feed(rbuf_.data() + rbeg_, take);
    rbeg_ += take;
    queue_greeting();
  }
  const auto& check = greeting_->result().check;
  if (check.state == greeting_check::status::failed) {
    // What was due goes out first, so the peer sees our whole greeting (a mismatch on both sides).
    closing_ = permanent_end(check.code, "handshake failed: " + check.error);
    do_write();
    return false;
  }
  if (check.state == greeting_check::status::need_more) {
    do_write();
    return false;
  }
  if (greeting_->result().version != zmtp_version::v3)
    return start_legacy();
  minor_ = check.minor;
  phase_ = phase::handshake;
  std::vector<bytes> cmds;
  return after_mechanism_step(mech_->start(cmds), cmds);
}

// Moves the completed incoming message into the inbound ring; false (reads paused) when full.
bool zmtp_engine_impl::deliver() {
  auto& ring = pipe_->inbound();
  while (!ring.try_push(incoming_)) {
    ring.flush();
    if (ring.writer_sleep()) {
      paused_ = true;  // a full receive ring pauses reads: TCP pushes back on the sender
      if (rbeg_ == rend_) {
        rbuf_.release();  // nothing buffered: a paused connection holds no read buffer
        rbeg_ = rend_ = 0;
      }
      return false;
    }
  }
  complete_ = false;
  return true;
}

} // namespace cafmq::net
