// Binding and connecting a command's endpoints: shared by the commands.
#include "commands.hpp"

#include "runtime/core/endpoint.hpp"

#include <cstdio>

namespace cafmq::cli {

bool picked_at_bind(const std::string& address) {
  auto ep = parse_endpoint(address, true);
  return (ep.transport == "tcp" && ep.any_port) || (ep.transport == "ipc" && ep.path == "*");
}

void attach_endpoints(socket& sock, const cli_args& args) {
  for (auto& ep : args.endpoints) {
    if (!ep.bind) {
      sock.connect(ep.address);
      continue;
    }
    sock.bind(ep.address);
    // The port or ipc path was picked here: the caller can only learn it from this line.
    // stdout is for messages.
    if (picked_at_bind(ep.address))
      std::fprintf(stderr, "bound %s\n", sock.last_endpoint().c_str());
  }
}

} // namespace cafmq::cli
