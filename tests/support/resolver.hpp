// Tests that resolve a name under RFC 6761's `.invalid` depend on the machine's resolver: where
// its DNS server drops queries, each lookup can take seconds. They skip there instead of
// timing out.
#pragma once

#include <chrono>
#include <netdb.h>

namespace cafmq::test {

/// True when `no-such-host.invalid` fails to resolve within one second, as a machine with a
/// working (or no) DNS server answers.
inline bool resolver_fails_fast() {
  auto start = std::chrono::steady_clock::now();
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo("no-such-host.invalid", "5555", nullptr, &found);
  if (found != nullptr)
    ::freeaddrinfo(found);
  return rc != 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(1);
}

} // namespace cafmq::test
