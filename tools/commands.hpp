// The sub-commands of `cafmq` and what they share. Each returns the process exit status.
#pragma once

#include "cli_args.hpp"

#include "runtime/socket.hpp"

#include <string>
#include <vector>

namespace cafmq::cli {

/// `cafmq send`: exit 0 once every message was written, 1 if some were discarded or timed out,
/// or a signal stopped it first (docs/cli.md "Signals and exit codes" for every command).
int run_send(const cli_args& args);
/// `cafmq recv`: exit 0 after --count messages (or a signal without --count), 1 on timeout.
int run_recv(const cli_args& args);
/// `cafmq echo`: sends every message back where it came from; exit 0 after --count (or a signal).
int run_echo(const cli_args& args);
/// `cafmq request`: sends the message and prints each reply, --count times; 1 on timeout.
int run_request(const cli_args& args);
/// `cafmq broker`: a Majordomo broker until SIGINT/SIGTERM; exit 0 after a clean stop.
int run_broker(const cli_args& args);
/// `cafmq keygen [--cert FILE]`: prints a CURVE key pair or writes it as zcert files; `args`
/// are the words after "keygen". Throws usage_error for bad arguments.
int run_keygen(const std::vector<std::string>& args);
/// `cafmq proxy --frontend TYPE,EP --backend TYPE,EP [--capture EP]`: forwards until SIGINT or
/// SIGTERM, then prints the statistics; `words` are the words after "proxy".
int run_proxy(const std::vector<std::string>& words);
/// tcp://host:* (or :0) and ipc://*: the address is chosen by the bind, so the command reports
/// it ("bound EP" on stderr). `address` must have bound successfully (it parses).
bool picked_at_bind(const std::string& address);
/// Binds and connects `args.endpoints` in order; reports wildcard-port binds on stderr.
void attach_endpoints(socket& sock, const cli_args& args);

} // namespace cafmq::cli
