// Help texts of the `cafmq` tool.
#pragma once

#include "cli_args.hpp"

#include <cstdio>

namespace cafmq::cli {

/// Prints the overview (both commands) to `out`.
void print_usage(std::FILE* out);
/// Prints the help of `cafmq proxy` to `out`.
void print_proxy_usage(std::FILE* out);
/// Prints the help of one command to `out`.
void print_command_usage(command cmd, std::FILE* out);

} // namespace cafmq::cli
