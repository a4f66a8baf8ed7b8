// Binding and connecting a command's endpoints: shared by the commands.
#include "commands.hpp"

#include <cstdio>

namespace cafmq::cli {

void attach_endpoints(socket& sock, const cli_args& args) {
  for (auto& ep : args.endpoints) {
    if (!ep.bind) {
      sock.connect(ep.address);
      continue;
    }
    sock.bind(ep.address);
    // The port was picked by the OS: the caller can only learn it here. stdout is for messages.
    bool any_port = ep.address.size() >= 2 && ep.address.compare(ep.address.size() - 2, 2, ":*") == 0;
    if (any_port)
      std::fprintf(stderr, "bound %s\n", sock.last_endpoint().c_str());
  }
}

} // namespace cafmq::cli
