// Entry point of the `cafmq` tool: picks the command, maps errors to exit statuses
// (0 ok, 1 runtime error, 2 usage error).
#include "cli_args.hpp"
#include "cli_security.hpp"
#include "commands.hpp"
#include "usage.hpp"

#include "runtime/core/error.hpp"
#include "runtime/version.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace cafmq::cli;

/// Where a usage error sends the user; narrowed to the command once it is known.
// NOLINTNEXTLINE(cert-err58-cpp): 12 characters fit the small-string buffer, nothing allocates
std::string help_hint = "cafmq --help";

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(stdout);
    return 0;
  }
  if (first == "--version") {  // the library's version, which may differ from the headers'
    std::printf("cafmq %s\n", cafmq::version().text);
    return 0;
  }
  if (first == "keygen") {
    help_hint = "cafmq keygen --help";
    return run_keygen(std::vector<std::string>(argv + 2, argv + argc));
  }
  if (first == "proxy") {
    help_hint = "cafmq proxy --help";
    return run_proxy(std::vector<std::string>(argv + 2, argv + argc));
  }
  auto cmd = parse_command(first);
  if (!cmd)
    throw usage_error{"unknown command '" + first
                      + "' (expected send, recv, echo, request, broker, proxy or keygen)"};
  help_hint = std::string("cafmq ") + command_name(*cmd) + " --help";
  auto args = parse_args(*cmd, std::vector<std::string>(argv + 2, argv + argc));
  if (args.help) {
    print_command_usage(*cmd, stdout);
    return 0;
  }
  attach_authenticator(args);
  switch (*cmd) {
    case command::send: return run_send(args);
    case command::recv: return run_recv(args);
    case command::echo: return run_echo(args);
    case command::request: return run_request(args);
    case command::broker: return run_broker(args);
  }
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(argc, argv);
  } catch (const usage_error& e) {
    std::fprintf(stderr, "cafmq: error: %s (see %s)\n", e.what(), help_hint.c_str());
    return 2;
  } catch (const cafmq::error& e) {
    std::fprintf(stderr, "cafmq: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cafmq: error: %s\n", e.what());
    return 1;
  }
}
