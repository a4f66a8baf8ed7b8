// Command-line arguments of `cafmq proxy`: two sides (and an optional capture), each a socket
// type with endpoints and its own socket flags. A side's flags are the send/recv option table
// (tools/cli_args.cpp) behind a "--frontend-" or "--backend-" prefix.
#pragma once

#include "cli_args.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cafmq::cli {

/// Everything `cafmq proxy` needs.
struct proxy_args {
  bool help = false;
  cli_args frontend;                ///< --frontend TYPE,EP[,EP...] and --frontend-* flags
  cli_args backend;                 ///< --backend TYPE,EP[,EP...] and --backend-* flags
  std::optional<cli_args> capture;  ///< --capture EP[,EP...]: a PUB socket
  bool events = false;              ///< --events: both sides' monitor events on stderr
};

/// Parses the words after "proxy"; throws usage_error naming what was wrong.
proxy_args parse_proxy_args(const std::vector<std::string>& args);

} // namespace cafmq::cli
