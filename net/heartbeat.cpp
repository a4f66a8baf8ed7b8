// Heartbeat decisions. One PING is outstanding at a time (RFC 37: a peer does not send PING after
// PING without an answer); the next goes out at the first interval tick after any traffic.
#include "net/heartbeat.hpp"

#include <algorithm>

namespace cafmq::net {

using std::chrono::milliseconds;

bytes make_ping_data(int ttl_ms, uint32_t context) {
  // RFC 37: ping-ttl is 2 octets of deciseconds (libzmq rounds the option down).
  auto ds = static_cast<uint16_t>(std::clamp(ttl_ms / 100, 0, 0xFFFF));
  return bytes{static_cast<uint8_t>(ds >> 8),        static_cast<uint8_t>(ds),
               static_cast<uint8_t>(context >> 24), static_cast<uint8_t>(context >> 16),
               static_cast<uint8_t>(context >> 8),  static_cast<uint8_t>(context)};
}

void heartbeat::start(time_point now) {
  last_traffic_ = now;
  next_ping_ = now + milliseconds(s_.ivl_ms);
  awaiting_ = false;
}

std::optional<heartbeat::time_point> heartbeat::on_peer_ttl(uint16_t ttl_ds,
                                                            time_point now) noexcept {
  last_traffic_ = now;  // the PING itself is traffic (reads may not have been timed before it)
  awaiting_ = false;
  peer_ttl_ms_ = ttl_ds * 100;
  if (peer_ttl_ms_ == 0)
    return std::nullopt;
  return now + milliseconds(peer_ttl_ms_);
}

heartbeat::tick_result heartbeat::tick(time_point now) {
  tick_result r;
  auto silent_ms = ms_between(last_traffic_, now);
  if (awaiting_ && s_.timeout_ms > 0 && now >= ping_sent_at_ + milliseconds(s_.timeout_ms)) {
    r.dead = "heartbeat timeout: no traffic for " + std::to_string(silent_ms)
             + " ms (a PING unanswered for heartbeat_timeout = " + std::to_string(s_.timeout_ms)
             + " ms)";
    return r;
  }
  if (peer_ttl_ms_ > 0 && now >= last_traffic_ + milliseconds(peer_ttl_ms_)) {
    r.dead = "heartbeat timeout: no traffic for " + std::to_string(silent_ms)
             + " ms (the peer's PING asked for a TTL of " + std::to_string(peer_ttl_ms_) + " ms)";
    return r;
  }
  if (s_.ivl_ms > 0 && now >= next_ping_) {
    if (!awaiting_) {
      r.send_ping = true;
      awaiting_ = true;
      ping_sent_at_ = now;
      ++pings_sent_;
    }
    next_ping_ = now + milliseconds(s_.ivl_ms);
  }
  auto consider = [&r](time_point t) {
    if (!r.next || t < *r.next)
      r.next = t;
  };
  if (s_.ivl_ms > 0)
    consider(next_ping_);
  if (awaiting_ && s_.timeout_ms > 0)
    consider(ping_sent_at_ + milliseconds(s_.timeout_ms));
  if (peer_ttl_ms_ > 0)
    consider(last_traffic_ + milliseconds(peer_ttl_ms_));
  return r;
}

} // namespace cafmq::net
