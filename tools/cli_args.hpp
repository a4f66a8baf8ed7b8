// Command-line arguments of `cafmq send` / `cafmq recv`: the parsed form and the parser.
// Parsing errors throw usage_error (exit status 2), everything later throws cafmq::error.
#pragma once

#include "frame_args.hpp"
#include "output_format.hpp"

#include "runtime/core/options.hpp"
#include "runtime/core/socket_type.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::cli {

/// A command line that cannot be run as written; main() prints it and exits 2.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The sub-commands.
enum class command { send, recv, echo, request, broker };

/// One --bind or --connect, in command-line order.
struct endpoint_arg {
  bool bind = false;    ///< true for --bind, false for --connect
  std::string address;  ///< as given ("tcp://127.0.0.1:5555")
};

/// Everything a command needs, validated as far as the parser can.
struct cli_args {
  command cmd = command::send;               ///< which sub-command
  bool help = false;                         ///< --help seen: print usage, nothing else
  socket_type type = socket_type::push;      ///< --type
  std::vector<endpoint_arg> endpoints;       ///< --bind / --connect, in order
  socket_options options;                    ///< --routing-id, --sndhwm, --linger-ms, ...
  uint64_t count = 1;                        ///< --count (send, request: default 1)
  bool count_given = false;                  ///< recv and echo run until interrupted without it
  int timeout_ms = -1;                       ///< --timeout-ms; -1 waits forever
  bool quiet = false;                        ///< recv/request --quiet
  std::vector<frame_arg> frames;             ///< send/request: the FRAME arguments
  output_format format = output_format::json;  ///< recv/request --format
  int attempts = 1;                          ///< request --attempts: sends before giving up
  std::vector<std::string> subscriptions;    ///< recv --subscribe (SUB/XSUB), in order
  size_t wait_subscribers = 0;               ///< send --wait-subscribers (PUB/XPUB)
  int interval_ms = 0;                       ///< send --interval-ms: pause between sends
  bool events = false;                       ///< --events: monitor events on stderr (JSON lines)
  bool sndtimeo_given = false;               ///< --sndtimeo-ms given (else --timeout-ms applies)
  std::vector<std::string> curve_allow;      ///< --curve-allow: the CURVE server's allowed keys
  std::string plain_passwords;               ///< --plain-passwords: the PLAIN server's file
  std::string cert_public;                   ///< --curve-cert: our public key (clients use it)
  bool cert_given = false;                   ///< --curve-cert given
  std::string_view explicit_key_flag;        ///< the last flag that gave a CURVE key of ours
  // `cafmq broker` (MDP/0.1): its --heartbeat-ivl-ms is the MDP heartbeat, not ZMTP's
  int mdp_heartbeat_ivl_ms = 2500;           ///< broker --heartbeat-ivl-ms
  int mdp_heartbeat_liveness = 3;            ///< broker --heartbeat-liveness
  int mdp_request_expiry_ms = 10000;         ///< broker --request-expiry-ms
  size_t mdp_max_queued = 10000;             ///< broker --max-queued (per service)
  int mdp_drain_ms = 1000;                   ///< broker --drain-ms: the stop's drain time
  size_t mdp_max_services = 1000;            ///< broker --max-services
  size_t mdp_max_workers = 10000;            ///< broker --max-workers
  bool mdp_expire_busy_workers = false;      ///< broker --expire-busy-workers
  int mdp_busy_expiry_ms = 0;                ///< broker --busy-expiry-ms (0: never)
};

/// Parses `args` (the words after the command name) for `cmd`; throws usage_error.
cli_args parse_args(command cmd, const std::vector<std::string>& args);
/// Parses a command name ("send", "recv", "echo", "request", "broker"); nullopt if unknown.
std::optional<command> parse_command(const std::string& name);
/// The command's name as typed.
const char* command_name(command cmd);

} // namespace cafmq::cli
