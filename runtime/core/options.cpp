// Option validation with messages that name the option and the allowed range.
#include "runtime/core/options.hpp"

#include "runtime/core/error.hpp"

namespace cafmq {

namespace {

void require(bool ok, const char* name, long long value, const char* allowed) {
  if (!ok)
    throw error{errc::invalid_argument, std::string("option ") + name + " = "
                                          + std::to_string(value) + " is invalid: " + allowed};
}

} // namespace

void socket_options::validate() const {
  // 0 means "no limit" in libzmq; cafmq keeps every queue bounded (effective_hwm).
  require(sndhwm <= max_hwm, "sndhwm", static_cast<long long>(sndhwm),
          "at most 1048576 (0 = the no-limit bound of 131072)");
  require(rcvhwm <= max_hwm, "rcvhwm", static_cast<long long>(rcvhwm),
          "at most 1048576 (0 = the no-limit bound of 131072)");
  // Far beyond any memory, and keeps the byte arithmetic of the budgets clear of overflow.
  constexpr size_t max_budget = size_t{1} << 48;
  require(send_budget_bytes <= max_budget, "send_budget_bytes", static_cast<long long>(send_budget_bytes),
          "0 (none) or at most 2^48 bytes");
  require(recv_budget_bytes <= max_budget, "recv_budget_bytes", static_cast<long long>(recv_budget_bytes),
          "0 (none) or at most 2^48 bytes");
  require(static_cast<int>(full_policy) >= 0 && static_cast<int>(full_policy) <= 4, "full_policy",
          static_cast<int>(full_policy), "one of automatic, block, drop_newest, drop_oldest, error");
  require(sndtimeo_ms >= -1, "sndtimeo", sndtimeo_ms, "-1 (block) or >= 0 ms");
  require(rcvtimeo_ms >= -1, "rcvtimeo", rcvtimeo_ms, "-1 (block) or >= 0 ms");
  require(linger_ms >= -1, "linger", linger_ms, "-1 (forever) or >= 0 ms");
  require(reconnect_ivl_ms >= -1, "reconnect_ivl", reconnect_ivl_ms, "-1 (never) or >= 0 ms");
  require(reconnect_ivl_max_ms >= 0, "reconnect_ivl_max", reconnect_ivl_max_ms,
          "0 (no backoff) or >= reconnect_ivl ms");
  require(reconnect_ivl_max_ms == 0 || reconnect_ivl_max_ms >= reconnect_ivl_ms, "reconnect_ivl_max",
          reconnect_ivl_max_ms, ("0 (no backoff) or >= reconnect_ivl (" + std::to_string(reconnect_ivl_ms)
                                 + " ms)").c_str());
  require(reconnect_jitter_pct >= 0 && reconnect_jitter_pct <= 100, "reconnect_jitter_pct",
          reconnect_jitter_pct, "0 to 100 (percent of each wait)");
  require(reconnect_max_attempts >= 0, "reconnect_max_attempts", reconnect_max_attempts,
          "0 (unlimited) or >= 1");
  require((reconnect_stop & ~7u) == 0, "reconnect_stop", reconnect_stop,
          "an or of reconnect_stop_conn_refused (1), _handshake_failed (2), _after_disconnect (4)");
  require(connect_timeout_ms >= 0, "connect_timeout", connect_timeout_ms, "0 (none) or >= 1 ms");
  require(restart_intensity >= 0, "restart_intensity", restart_intensity,
          "0 (no limit) or the most restarts allowed within restart_period");
  require(restart_period_ms >= 1, "restart_period", restart_period_ms, ">= 1 ms");
  require(handshake_ivl_ms >= 0, "handshake_ivl", handshake_ivl_ms, ">= 0 ms (0 disables)");
  require(max_pending_handshakes >= 1 && max_pending_handshakes <= 65536, "max_pending_handshakes",
          max_pending_handshakes, "1 to 65536 connections per bound endpoint");
  require(maxmsgsize >= -1, "maxmsgsize", maxmsgsize, "-1 (unlimited) or >= 0 bytes");
  // Liveness (libzmq's ranges): the TTL travels as 16-bit deciseconds, so at most 6553.5 s.
  require(heartbeat_ivl_ms >= 0, "heartbeat_ivl", heartbeat_ivl_ms, ">= 0 ms (0 disables)");
  require(heartbeat_ttl_ms >= 0 && heartbeat_ttl_ms <= 6553599, "heartbeat_ttl", heartbeat_ttl_ms,
          "0 to 6553599 ms (sent in deciseconds, at most 6553.5 s)");
  require(heartbeat_timeout_ms >= -1, "heartbeat_timeout", heartbeat_timeout_ms,
          "-1 (= heartbeat_ivl) or >= 0 ms");
  require(tcp_keepalive >= -1 && tcp_keepalive <= 1, "tcp_keepalive", tcp_keepalive,
          "-1 (OS default), 0 (off) or 1 (on)");
  require(tcp_keepalive_idle == -1 || tcp_keepalive_idle > 0, "tcp_keepalive_idle",
          tcp_keepalive_idle, "-1 (OS default) or > 0 s");
  require(tcp_keepalive_cnt == -1 || tcp_keepalive_cnt > 0, "tcp_keepalive_cnt",
          tcp_keepalive_cnt, "-1 (OS default) or > 0 probes");
  require(tcp_keepalive_intvl == -1 || tcp_keepalive_intvl > 0, "tcp_keepalive_intvl",
          tcp_keepalive_intvl, "-1 (OS default) or > 0 s");
  require(routing_id.size() <= 255, "routing_id", static_cast<long long>(routing_id.size()),
          "at most 255 bytes long");
  require(routing_id.empty() || routing_id[0] != '\0', "routing_id", 0,
          "must not start with a zero byte (reserved, RFC 23)");
  // Security: one mechanism, one role (key formats are checked by the security library).
  bool plain = plain_server || !plain_username.empty();
  bool curve = curve_server || !curve_serverkey.empty();
  if (plain && curve)
    throw error{errc::invalid_argument,
                "options select both PLAIN and CURVE: a socket uses one security mechanism"};
  if (plain_server && !plain_username.empty())
    throw error{errc::invalid_argument,
                "option plain_server is set together with plain_username: a PLAIN socket is a "
                "server or a client, not both"};
  if (curve_server && !curve_serverkey.empty())
    throw error{errc::invalid_argument,
                "option curve_server is set together with curve_serverkey: a CURVE socket is a "
                "server or a client, not both"};
  if (curve_server && curve_secretkey.empty())
    throw error{errc::invalid_argument,
                "option curve_server needs curve_secretkey (the server's permanent secret key)"};
  require(plain_username.size() <= 255, "plain_username",
          static_cast<long long>(plain_username.size()), "at most 255 bytes long (RFC 24)");
  require(plain_password.size() <= 255, "plain_password",
          static_cast<long long>(plain_password.size()), "at most 255 bytes long (RFC 24)");
  require(zap_domain.size() <= 254, "zap_domain", static_cast<long long>(zap_domain.size()),
          "at most 254 bytes long");
}

} // namespace cafmq
