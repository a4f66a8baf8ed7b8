// Typed keys for socket::set / socket::get: each names one field of socket_options and says when
// a change made on an open socket takes effect (libzmq's zmq_setsockopt rules, docs/socket-options.md).
#pragma once

#include "options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cafmq {

/// When a change made on an open socket takes effect.
enum class option_scope : uint8_t {
  immediate,        ///< at once, for every peer (sndtimeo, rcvtimeo, linger, router_mandatory...)
  later_endpoints,  ///< for the binds and connects made afterwards (libzmq: "subsequent
                    ///< bind/connects"); existing listeners and connections keep the old value
  creation_only,    ///< fixed when the socket is created: set() throws errc::wrong_state
};

/// The key of one option of type T: its name, its field in socket_options, its scope.
template <class T>
struct option_key {
  using value_type = T;
  const char* name;                ///< libzmq's name without ZMQ_, lower case ("sndtimeo")
  T socket_options::*field;        ///< where socket_options keeps it
  option_scope scope;              ///< when a change on an open socket takes effect
};

/// The keys, named as the options are (durations in milliseconds, as the _ms fields).
namespace opt {
// -- immediate --
inline constexpr option_key<int> sndtimeo{"sndtimeo", &socket_options::sndtimeo_ms, option_scope::immediate};
inline constexpr option_key<int> rcvtimeo{"rcvtimeo", &socket_options::rcvtimeo_ms, option_scope::immediate};
inline constexpr option_key<int> linger{"linger", &socket_options::linger_ms, option_scope::immediate};
inline constexpr option_key<bool> router_mandatory{"router_mandatory", &socket_options::router_mandatory, option_scope::immediate};
inline constexpr option_key<bool> router_handover{"router_handover", &socket_options::router_handover, option_scope::immediate};
inline constexpr option_key<bool> probe_router{"probe_router", &socket_options::probe_router, option_scope::immediate};
inline constexpr option_key<bool> req_relaxed{"req_relaxed", &socket_options::req_relaxed, option_scope::immediate};
inline constexpr option_key<bool> req_correlate{"req_correlate", &socket_options::req_correlate, option_scope::immediate};
inline constexpr option_key<bool> xpub_verbose{"xpub_verbose", &socket_options::xpub_verbose, option_scope::immediate};
inline constexpr option_key<bool> xpub_verboser{"xpub_verboser", &socket_options::xpub_verboser, option_scope::immediate};
// -- later binds and connects --
inline constexpr option_key<size_t> sndhwm{"sndhwm", &socket_options::sndhwm, option_scope::later_endpoints};
inline constexpr option_key<size_t> rcvhwm{"rcvhwm", &socket_options::rcvhwm, option_scope::later_endpoints};
inline constexpr option_key<size_t> sndhwm_bytes{"sndhwm_bytes", &socket_options::sndhwm_bytes, option_scope::later_endpoints};
inline constexpr option_key<size_t> rcvhwm_bytes{"rcvhwm_bytes", &socket_options::rcvhwm_bytes, option_scope::later_endpoints};
inline constexpr option_key<int> reconnect_ivl{"reconnect_ivl", &socket_options::reconnect_ivl_ms, option_scope::later_endpoints};
inline constexpr option_key<int> reconnect_ivl_max{"reconnect_ivl_max", &socket_options::reconnect_ivl_max_ms, option_scope::later_endpoints};
inline constexpr option_key<int> reconnect_jitter_pct{"reconnect_jitter_pct", &socket_options::reconnect_jitter_pct, option_scope::later_endpoints};
inline constexpr option_key<int> reconnect_max_attempts{"reconnect_max_attempts", &socket_options::reconnect_max_attempts, option_scope::later_endpoints};
inline constexpr option_key<unsigned> reconnect_stop{"reconnect_stop", &socket_options::reconnect_stop, option_scope::later_endpoints};
inline constexpr option_key<int> connect_timeout{"connect_timeout", &socket_options::connect_timeout_ms, option_scope::later_endpoints};
inline constexpr option_key<int> restart_intensity{"restart_intensity", &socket_options::restart_intensity, option_scope::later_endpoints};
inline constexpr option_key<int> restart_period{"restart_period", &socket_options::restart_period_ms, option_scope::later_endpoints};
inline constexpr option_key<int> handshake_ivl{"handshake_ivl", &socket_options::handshake_ivl_ms, option_scope::later_endpoints};
inline constexpr option_key<int> max_pending_handshakes{"max_pending_handshakes", &socket_options::max_pending_handshakes, option_scope::later_endpoints};
inline constexpr option_key<int64_t> maxmsgsize{"maxmsgsize", &socket_options::maxmsgsize, option_scope::later_endpoints};
inline constexpr option_key<std::string> routing_id{"routing_id", &socket_options::routing_id, option_scope::later_endpoints};
inline constexpr option_key<int> heartbeat_ivl{"heartbeat_ivl", &socket_options::heartbeat_ivl_ms, option_scope::later_endpoints};
inline constexpr option_key<int> heartbeat_ttl{"heartbeat_ttl", &socket_options::heartbeat_ttl_ms, option_scope::later_endpoints};
inline constexpr option_key<int> heartbeat_timeout{"heartbeat_timeout", &socket_options::heartbeat_timeout_ms, option_scope::later_endpoints};
inline constexpr option_key<int> tcp_keepalive{"tcp_keepalive", &socket_options::tcp_keepalive, option_scope::later_endpoints};
inline constexpr option_key<int> tcp_keepalive_idle{"tcp_keepalive_idle", &socket_options::tcp_keepalive_idle, option_scope::later_endpoints};
inline constexpr option_key<int> tcp_keepalive_cnt{"tcp_keepalive_cnt", &socket_options::tcp_keepalive_cnt, option_scope::later_endpoints};
inline constexpr option_key<int> tcp_keepalive_intvl{"tcp_keepalive_intvl", &socket_options::tcp_keepalive_intvl, option_scope::later_endpoints};
inline constexpr option_key<std::vector<uint32_t>> ipc_filter_uid{"ipc_filter_uid", &socket_options::ipc_filter_uid, option_scope::later_endpoints};
inline constexpr option_key<std::vector<uint32_t>> ipc_filter_gid{"ipc_filter_gid", &socket_options::ipc_filter_gid, option_scope::later_endpoints};
inline constexpr option_key<std::vector<int32_t>> ipc_filter_pid{"ipc_filter_pid", &socket_options::ipc_filter_pid, option_scope::later_endpoints};
// -- creation only: readable with get(), refused by set() on an open socket --
inline constexpr option_key<size_t> send_budget_bytes{"send_budget_bytes", &socket_options::send_budget_bytes, option_scope::creation_only};
inline constexpr option_key<size_t> recv_budget_bytes{"recv_budget_bytes", &socket_options::recv_budget_bytes, option_scope::creation_only};
inline constexpr option_key<cafmq::full_policy> full_policy{"full_policy", &socket_options::full_policy, option_scope::creation_only};
inline constexpr option_key<bool> immediate{"immediate", &socket_options::immediate, option_scope::creation_only};
inline constexpr option_key<bool> conflate{"conflate", &socket_options::conflate, option_scope::creation_only};
inline constexpr option_key<bool> xpub_manual{"xpub_manual", &socket_options::xpub_manual, option_scope::creation_only};
inline constexpr option_key<bool> xpub_nodrop{"xpub_nodrop", &socket_options::xpub_nodrop, option_scope::creation_only};
inline constexpr option_key<bool> plain_server{"plain_server", &socket_options::plain_server, option_scope::creation_only};
inline constexpr option_key<std::string> plain_username{"plain_username", &socket_options::plain_username, option_scope::creation_only};
inline constexpr option_key<std::string> plain_password{"plain_password", &socket_options::plain_password, option_scope::creation_only};
inline constexpr option_key<bool> curve_server{"curve_server", &socket_options::curve_server, option_scope::creation_only};
inline constexpr option_key<std::string> curve_serverkey{"curve_serverkey", &socket_options::curve_serverkey, option_scope::creation_only};
inline constexpr option_key<std::string> curve_publickey{"curve_publickey", &socket_options::curve_publickey, option_scope::creation_only};
inline constexpr option_key<std::string> curve_secretkey{"curve_secretkey", &socket_options::curve_secretkey, option_scope::creation_only};
inline constexpr option_key<std::string> zap_domain{"zap_domain", &socket_options::zap_domain, option_scope::creation_only};
inline constexpr option_key<bool> zap_enforce_domain{"zap_enforce_domain", &socket_options::zap_enforce_domain, option_scope::creation_only};
// -- later binds and connects (added after the lists above) --
inline constexpr option_key<bool> ipv6{"ipv6", &socket_options::ipv6, option_scope::later_endpoints};
} // namespace opt

} // namespace cafmq
