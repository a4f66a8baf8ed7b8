// ZMTP 3.1 connection heartbeats (RFC 37 §Connection Heartbeating; libzmq's ZMQ_HEARTBEAT_IVL,
// _TTL and _TIMEOUT), as bookkeeping without I/O: when the next PING is due, and when the peer
// has been silent too long. The engine reports the time of each read and runs tick() from one
// timer; any traffic is a sign of life, so nothing is done per message.
#pragma once

#include "runtime/core/zmtp_command.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cafmq::net {

/// Our side's heartbeat options, in milliseconds.
struct heartbeat_settings {
  int ivl_ms = 0;      ///< send a PING this often once the connection is ready; 0 = never
  int timeout_ms = 0;  ///< drop the peer when nothing arrives this long after a PING; 0 = never
  int ttl_ms = 0;      ///< the TTL our PINGs carry (asks the peer to drop us after that silence)
};

/// The PING body (TTL in deciseconds, big-endian, then `context`) for a TTL of `ttl_ms`.
bytes make_ping_data(int ttl_ms, uint32_t context);

/// One connection's heartbeat state. Not thread-safe: the engine's I/O thread owns it.
class heartbeat {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  /// What a tick found.
  struct tick_result {
    bool send_ping = false;           ///< send a PING now (body: ping_data())
    std::optional<std::string> dead;  ///< set: close the connection, for this reason
    std::optional<time_point> next;   ///< when to tick again (nullopt: nothing to watch)
  };

  explicit heartbeat(heartbeat_settings s) : s_(s) {}

  /// The connection became ready at `now` (the handshake was traffic): the first PING is due
  /// one interval later.
  void start(time_point now);
  /// True when reads need timestamps: we send PINGs or the peer asked for a TTL.
  bool active() const noexcept { return s_.ivl_ms > 0 || peer_ttl_ms_ > 0; }
  /// Bytes arrived at `now`: a sign of life, and the answer to an outstanding PING.
  void on_traffic(time_point now) noexcept {
    last_traffic_ = now;
    awaiting_ = false;
  }
  /// The peer's PING at `now` carried a TTL of `ttl_ds` deciseconds (0: none): if nothing else
  /// arrives within it, the connection is dead. The latest PING's TTL applies. Returns the
  /// deadline to tick at, if any.
  std::optional<time_point> on_peer_ttl(uint16_t ttl_ds, time_point now) noexcept;
  /// Decides at `now`: PING, close, and when to look again.
  tick_result tick(time_point now);
  /// The body data of the PING that tick() asked for (TTL and a counter as context).
  bytes ping_data() const { return make_ping_data(s_.ttl_ms, pings_sent_); }
  /// PINGs asked for so far.
  uint32_t pings_sent() const noexcept { return pings_sent_; }

private:
  static long long ms_between(time_point a, time_point b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
  }

  heartbeat_settings s_;
  time_point last_traffic_{};
  time_point next_ping_{};
  time_point ping_sent_at_{};
  bool awaiting_ = false;  // a PING went out and nothing has arrived since
  int peer_ttl_ms_ = 0;
  uint32_t pings_sent_ = 0;
};

} // namespace cafmq::net
