// The option table and the parser for `cafmq send` / `cafmq recv`. Options apply in order;
// "--name=value" and "--name value" are both accepted; "--" ends the options.
#include "cli_args.hpp"

#include "secret_args.hpp"

#include "runtime/core/error.hpp"

#include <charconv>
#include <limits>
#include <string_view>

namespace cafmq::cli {

namespace {

using apply_fn = void (*)(cli_args&, const std::string& value);

/// The commands an option is valid for, as a bit set.
enum : unsigned {
  send_cmd = 1u << static_cast<unsigned>(command::send),
  recv_cmd = 1u << static_cast<unsigned>(command::recv),
  echo_cmd = 1u << static_cast<unsigned>(command::echo),
  request_cmd = 1u << static_cast<unsigned>(command::request),
  all_cmds = send_cmd | recv_cmd | echo_cmd | request_cmd,  ///< the commands with one socket
  broker_cmd = 1u << static_cast<unsigned>(command::broker),
};

/// One option: where it is valid and what it does with its value.
struct option_spec {
  std::string_view name;
  bool takes_value;
  unsigned commands;
  apply_fn apply;
};

int64_t parse_int(std::string_view option, const std::string& text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < min || v > max)
    throw usage_error{std::string(option) + ": expected an integer from " + std::to_string(min)
                      + " to " + std::to_string(max) + ", got '" + text + "'"};
  return v;
}

constexpr int64_t int_max = std::numeric_limits<int>::max();
constexpr int64_t i64_max = std::numeric_limits<int64_t>::max();
constexpr auto hwm_max = static_cast<int64_t>(max_hwm);

/// A secret key given by `flag` itself (not read from --curve-cert).
void set_secret(cli_args& a, std::string_view flag, std::string key) {
  a.options.curve_secretkey = std::move(key);
  a.explicit_key_flag = flag;
}

// Constant string_views and function pointers: the throws cert-err58-cpp sees are in the lambdas.
// NOLINTNEXTLINE(cert-err58-cpp)
const option_spec options[] = {
  {"--type", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     auto t = parse_socket_type(v);
     if (!t)
       throw usage_error{"--type: unknown socket type '" + v
                         + "' (pair, pub, sub, req, rep, dealer, router, pull, push, xpub, "
                           "xsub, stream)"};
     a.type = *t;
   }},
  {"--bind", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) { a.endpoints.push_back({true, v}); }},
  {"--connect", true, all_cmds,
   [](cli_args& a, const std::string& v) { a.endpoints.push_back({false, v}); }},
  {"--count", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.count = static_cast<uint64_t>(parse_int("--count", v, 1, i64_max));
     a.count_given = true;
   }},
  {"--linger-ms", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.linger_ms = static_cast<int>(parse_int("--linger-ms", v, -1, int_max));
   }},
  {"--timeout-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.timeout_ms = static_cast<int>(parse_int("--timeout-ms", v, 0, int_max));
   }},
  {"--quiet", false, recv_cmd | request_cmd, [](cli_args& a, const std::string&) { a.quiet = true; }},
  {"--format", true, recv_cmd | request_cmd,
   [](cli_args& a, const std::string& v) {
     auto f = parse_output_format(v);
     if (!f)
       throw usage_error{"--format: unknown format '" + v + "' (json, hex, base64, raw)"};
     a.format = *f;
   }},
  {"--attempts", true, request_cmd,
   [](cli_args& a, const std::string& v) {
     a.attempts = static_cast<int>(parse_int("--attempts", v, 1, int_max));
   }},
  {"--frame", true, send_cmd | request_cmd,
   [](cli_args& a, const std::string& v) { a.frames.push_back({frame_arg::source::text, v}); }},
  {"--routing-id", true, all_cmds,
   [](cli_args& a, const std::string& v) { a.options.routing_id = v; }},
  {"--sndhwm", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.sndhwm = static_cast<size_t>(parse_int("--sndhwm", v, 0, hwm_max));
   }},
  {"--rcvhwm", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.rcvhwm = static_cast<size_t>(parse_int("--rcvhwm", v, 0, hwm_max));
   }},
  {"--sndtimeo-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.sndtimeo_ms = static_cast<int>(parse_int("--sndtimeo-ms", v, -1, int_max));
     a.sndtimeo_given = true;
   }},
  {"--reconnect-ivl-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.reconnect_ivl_ms = static_cast<int>(parse_int("--reconnect-ivl-ms", v, -1, int_max));
   }},
  {"--reconnect-ivl-max-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.reconnect_ivl_max_ms =
       static_cast<int>(parse_int("--reconnect-ivl-max-ms", v, 0, int_max));
   }},
  {"--reconnect-max-attempts", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.reconnect_max_attempts =
       static_cast<int>(parse_int("--reconnect-max-attempts", v, 0, int_max));
   }},
  {"--connect-timeout-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.connect_timeout_ms = static_cast<int>(parse_int("--connect-timeout-ms", v, 0, int_max));
   }},
  {"--events", false, all_cmds | broker_cmd, [](cli_args& a, const std::string&) { a.events = true; }},
  // -- heartbeats (ZMTP 3.1 PING/PONG) --
  {"--heartbeat-ivl-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.heartbeat_ivl_ms = static_cast<int>(parse_int("--heartbeat-ivl-ms", v, 0, int_max));
   }},
  {"--heartbeat-timeout-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.heartbeat_timeout_ms =
       static_cast<int>(parse_int("--heartbeat-timeout-ms", v, -1, int_max));
   }},
  {"--heartbeat-ttl-ms", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.heartbeat_ttl_ms = static_cast<int>(parse_int("--heartbeat-ttl-ms", v, 0, 6553599));
   }},
  // -- security (docs/security.md); the keys are checked when the socket is made --
  {"--curve-server", false, all_cmds | broker_cmd,
   [](cli_args& a, const std::string&) { a.options.curve_server = true; }},
  {"--curve-server-secret", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.curve_server = true;
     set_secret(a, "--curve-server-secret", v);
   }},
  {"--curve-server-secret-file", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.curve_server = true;
     set_secret(a, "--curve-server-secret-file", secret_from_file("--curve-server-secret-file", v));
   }},
  {"--curve-server-secret-env", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.curve_server = true;
     set_secret(a, "--curve-server-secret-env", secret_from_env("--curve-server-secret-env", v));
   }},
  {"--curve-server-key", true, all_cmds,
   [](cli_args& a, const std::string& v) { a.options.curve_serverkey = v; }},
  {"--curve-server-cert", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.curve_serverkey = public_cert("--curve-server-cert", v);
   }},
  {"--curve-public", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.curve_publickey = v;
     a.explicit_key_flag = "--curve-public";
   }},
  {"--curve-secret", true, all_cmds,
   [](cli_args& a, const std::string& v) { set_secret(a, "--curve-secret", v); }},
  {"--curve-secret-file", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     set_secret(a, "--curve-secret-file", secret_from_file("--curve-secret-file", v));
   }},
  {"--curve-secret-env", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     set_secret(a, "--curve-secret-env", secret_from_env("--curve-secret-env", v));
   }},
  {"--curve-cert", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     auto keys = secret_cert("--curve-cert", v);
     a.options.curve_secretkey = keys.secret_z85;
     a.cert_public = keys.public_z85;
     a.cert_given = true;
   }},
  {"--curve-allow", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) { a.curve_allow.push_back(v); }},
  {"--curve-allow-cert", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.curve_allow.push_back(public_cert("--curve-allow-cert", v));
   }},
  {"--plain-user", true, all_cmds,
   [](cli_args& a, const std::string& v) { a.options.plain_username = v; }},
  {"--plain-password", true, all_cmds,
   [](cli_args& a, const std::string& v) { a.options.plain_password = v; }},
  {"--plain-password-file", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.plain_password = secret_from_file("--plain-password-file", v);
   }},
  {"--plain-password-env", true, all_cmds,
   [](cli_args& a, const std::string& v) {
     a.options.plain_password = secret_from_env("--plain-password-env", v);
   }},
  {"--plain-server", false, all_cmds | broker_cmd,
   [](cli_args& a, const std::string&) { a.options.plain_server = true; }},
  {"--plain-passwords", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) { a.plain_passwords = v; }},
  {"--zap-domain", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) { a.options.zap_domain = v; }},
  // -- transports --
  {"--ipv6", false, all_cmds | broker_cmd, [](cli_args& a, const std::string&) { a.options.ipv6 = true; }},
  {"--no-ipv6", false, all_cmds | broker_cmd, [](cli_args& a, const std::string&) { a.options.ipv6 = false; }},
  // -- pattern options (libzmq's names; a type they do not apply to ignores them) --
  {"--conflate", false, all_cmds, [](cli_args& a, const std::string&) { a.options.conflate = true; }},
  {"--immediate", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.immediate = true; }},
  {"--router-mandatory", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.router_mandatory = true; }},
  {"--router-handover", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.router_handover = true; }},
  {"--probe-router", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.probe_router = true; }},
  {"--req-relaxed", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.req_relaxed = true; }},
  {"--req-correlate", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.req_correlate = true; }},
  {"--xpub-verbose", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.xpub_verbose = true; }},
  {"--xpub-verboser", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.xpub_verboser = true; }},
  {"--xpub-manual", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.xpub_manual = true; }},
  {"--xpub-nodrop", false, all_cmds,
   [](cli_args& a, const std::string&) { a.options.xpub_nodrop = true; }},
  {"--xpub-welcome-msg", true, all_cmds,
   [](cli_args& a, const std::string& v) { a.options.xpub_welcome_msg = v; }},
  {"--maxmsgsize", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.maxmsgsize = parse_int("--maxmsgsize", v, -1, i64_max);
   }},
  {"--handshake-ivl-ms", true, all_cmds | broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.options.handshake_ivl_ms = static_cast<int>(parse_int("--handshake-ivl-ms", v, 0, int_max));
   }},
  // -- the Majordomo broker (MDP heartbeats, not ZMTP's: see `cafmq broker --help`) --
  {"--heartbeat-ivl-ms", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_heartbeat_ivl_ms = static_cast<int>(parse_int("--heartbeat-ivl-ms", v, 1, int_max));
   }},
  {"--heartbeat-liveness", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_heartbeat_liveness = static_cast<int>(parse_int("--heartbeat-liveness", v, 1, 1000));
   }},
  {"--request-expiry-ms", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_request_expiry_ms = static_cast<int>(parse_int("--request-expiry-ms", v, 1, int_max));
   }},
  {"--max-queued", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_max_queued = static_cast<size_t>(parse_int("--max-queued", v, 1, int_max));
   }},
  {"--drain-ms", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_drain_ms = static_cast<int>(parse_int("--drain-ms", v, 0, int_max));
   }},
  // -- the Majordomo broker's bounds (docs/majordomo.md) --
  {"--max-services", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_max_services = static_cast<size_t>(parse_int("--max-services", v, 1, int_max));
   }},
  {"--max-workers", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_max_workers = static_cast<size_t>(parse_int("--max-workers", v, 1, int_max));
   }},
  {"--expire-busy-workers", false, broker_cmd,
   [](cli_args& a, const std::string&) { a.mdp_expire_busy_workers = true; }},
  {"--busy-expiry-ms", true, broker_cmd,
   [](cli_args& a, const std::string& v) {
     a.mdp_busy_expiry_ms = static_cast<int>(parse_int("--busy-expiry-ms", v, 0, int_max));
   }},
  {"--subscribe", true, recv_cmd,
   [](cli_args& a, const std::string& v) { a.subscriptions.push_back(v); }},
  {"--wait-subscribers", true, send_cmd,
   [](cli_args& a, const std::string& v) {
     a.wait_subscribers = static_cast<size_t>(parse_int("--wait-subscribers", v, 0, int_max));
   }},
  {"--interval-ms", true, send_cmd,
   [](cli_args& a, const std::string& v) {
     a.interval_ms = static_cast<int>(parse_int("--interval-ms", v, 0, int_max));
   }},
};

bool takes_frames(command cmd) {
  return cmd == command::send || cmd == command::request;
}

const option_spec& find_option(command cmd, std::string_view name) {
  for (auto& o : options)
    if (o.name == name && (o.commands & (1u << static_cast<unsigned>(cmd))) != 0)
      return o;
  throw usage_error{"unknown option '" + std::string(name) + "' for " + command_name(cmd)};
}

/// The value of option `spec`: after "=" in `word`, or the next argument (advancing `i`).
std::string take_value(const option_spec& spec, const std::string& word, size_t eq,
                       const std::vector<std::string>& args, size_t& i) {
  if (eq != std::string::npos) {
    if (!spec.takes_value)
      throw usage_error{std::string(spec.name) + " takes no value"};
    return word.substr(eq + 1);
  }
  if (!spec.takes_value)
    return {};
  if (++i == args.size())
    throw usage_error{"missing value for " + std::string(spec.name)};
  return args[i];
}

/// Fills what depends on several options (--curve-cert's public key is a client's), then
/// throws usage_error for combinations that cannot work.
void check_complete(cli_args& a, bool type_given) {
  if (!a.options.curve_server && a.options.curve_publickey.empty())
    a.options.curve_publickey = a.cert_public;
  if (a.cmd == command::broker)
    a.type = socket_type::router;  // a broker is a ROUTER: no --type
  else if (!type_given)
    throw usage_error{"missing --type (e.g. --type push)"};
  if (a.endpoints.empty())
    throw usage_error{a.cmd == command::broker ? "no endpoint: give at least one --bind"
                                               : "no endpoint: give at least one --bind or --connect"};
  if (takes_frames(a.cmd) && a.frames.empty())
    throw usage_error{std::string(command_name(a.cmd)) + " needs at least one FRAME argument"};
  using st = socket_type;
  if (!a.subscriptions.empty() && a.type != st::sub && a.type != st::xsub)
    throw usage_error{"--subscribe needs --type sub or xsub"};
  if (a.wait_subscribers > 0 && a.type != st::pub && a.type != st::xpub)
    throw usage_error{"--wait-subscribers needs --type pub or xpub"};
  const auto& o = a.options;
  size_t stdin_frames = 0;
  for (auto& f : a.frames)
    stdin_frames += f.from == frame_arg::source::stdin_bytes ? 1 : 0;
  if (stdin_frames > 1)
    throw usage_error{"FRAME '-' (stdin) given more than once; stdin holds one frame"};
  if (a.cert_given && !a.explicit_key_flag.empty())
    throw usage_error{"--curve-cert and " + std::string(a.explicit_key_flag)
                      + " both give our CURVE keys: a key pair must come from one source"};
  if (o.curve_server && o.curve_secretkey.empty())
    throw usage_error{"--curve-server needs our secret key (--curve-secret, --curve-secret-file, "
                      "--curve-secret-env or --curve-cert)"};
  if (o.reconnect_ivl_max_ms != 0 && o.reconnect_ivl_max_ms < o.reconnect_ivl_ms)
    throw usage_error{"--reconnect-ivl-max-ms " + std::to_string(o.reconnect_ivl_max_ms)
                      + " must be 0 (no backoff) or at least --reconnect-ivl-ms ("
                      + std::to_string(o.reconnect_ivl_ms) + ")"};
  if (a.attempts > 1 && a.timeout_ms < 0)
    throw usage_error{"--attempts needs --timeout-ms (how long one attempt waits)"};
  if (!a.curve_allow.empty() && !o.curve_server)
    throw usage_error{"--curve-allow and --curve-allow-cert need a CURVE server (--curve-server, "
                      "or --curve-server-secret, -file or -env): they list its allowed clients"};
  if (o.curve_server && (!o.curve_serverkey.empty() || !o.curve_publickey.empty()))
    throw usage_error{"--curve-server (or --curve-server-secret, -file, -env) makes a CURVE "
                      "server: --curve-server-key, --curve-server-cert and --curve-public are "
                      "for clients"};
  if (!o.curve_serverkey.empty() && o.curve_secretkey.empty() != o.curve_publickey.empty())
    throw usage_error{"a CURVE client needs both --curve-public and --curve-secret (or neither, "
                      "for a fresh key pair)"};
  if (o.plain_server && a.plain_passwords.empty())
    throw usage_error{"--plain-server needs --plain-passwords FILE (user=password lines)"};
  if (!a.plain_passwords.empty() && !o.plain_server)
    throw usage_error{"--plain-passwords needs --plain-server"};
  if (!o.plain_password.empty() && o.plain_username.empty())
    throw usage_error{"--plain-password needs --plain-user"};
  if (a.cmd == command::echo && a.type != st::rep && a.type != st::router && a.type != st::dealer
      && a.type != st::pair)
    throw usage_error{"echo needs --type rep, router, dealer or pair"};
  if (a.cmd == command::request && a.type != st::req && a.type != st::dealer && a.type != st::pair)
    throw usage_error{"request needs --type req, dealer or pair"};
}

} // namespace

std::optional<command> parse_command(const std::string& name) {
  for (auto c : {command::send, command::recv, command::echo, command::request, command::broker})
    if (name == command_name(c))
      return c;
  return std::nullopt;
}

const char* command_name(command cmd) {
  switch (cmd) {
    case command::send: return "send";
    case command::recv: return "recv";
    case command::echo: return "echo";
    case command::request: return "request";
    case command::broker: return "broker";
  }
  return "?";
}

cli_args parse_args(command cmd, const std::vector<std::string>& args) {
  cli_args a;
  a.cmd = cmd;
  bool type_given = false;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (!options_done && (word == "--help" || word == "-h")) {
      a.help = true;
      return a;
    }
    if (options_done || word.rfind("--", 0) != 0) {
      if (!takes_frames(cmd))
        throw usage_error{std::string(command_name(cmd)) + " takes no positional argument, got '"
                          + word + "'"};
      a.frames.push_back(parse_frame_word(word));
    } else if (word == "--") {
      options_done = true;  // what follows are frames, even if they start with "--"
    } else {
      auto eq = word.find('=');
      auto& spec = find_option(cmd, std::string_view(word).substr(0, eq));
      spec.apply(a, take_value(spec, word, eq, args, i));
      type_given = type_given || spec.name == "--type";
    }
  }
  check_complete(a, type_given);
  try {
    // The library's own limits that no flag checks (--routing-id length, PLAIN with CURVE...);
    // check_complete() already named the flags of the combinations it knows.
    a.options.validate();
  } catch (const error& e) {
    throw usage_error{e.what()};
  }
  return a;
}

} // namespace cafmq::cli
