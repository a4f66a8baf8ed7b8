// The sub-commands of `cafmq` and what they share. Each returns the process exit status.
#pragma once

#include "cli_args.hpp"

#include "runtime/socket.hpp"

namespace cafmq::cli {

/// `cafmq send`: exit 0 once every message was written, 1 if some were discarded or timed out.
int run_send(const cli_args& args);
/// `cafmq recv`: exit 0 after --count messages (or a signal without --count), 1 on timeout.
int run_recv(const cli_args& args);
/// Binds and connects `args.endpoints` in order; reports wildcard-port binds on stderr.
void attach_endpoints(socket& sock, const cli_args& args);

} // namespace cafmq::cli
