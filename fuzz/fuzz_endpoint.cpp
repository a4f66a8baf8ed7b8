// Endpoint strings (runtime/core/endpoint), for bind and for connect. Invariants: a bad string
// throws cafmq::error (invalid_endpoint, or unsupported for another transport) and nothing else;
// what parses is tcp with a non-empty host, '*' only for bind, port 0 only as "any port" for
// bind, a source address only for connect; or ipc/inproc with a path within its limit. Its
// canonical string parses back to the same endpoint.
#include "fuzz_support.hpp"

#include "runtime/core/endpoint.hpp"
#include "runtime/core/error.hpp"

using namespace cafmq;

namespace {

void check(std::string_view text, bool for_bind) {
  endpoint ep;
  try {
    ep = parse_endpoint(text, for_bind);
  } catch (const error& e) {
    FUZZ_CHECK(e.code() == errc::invalid_endpoint || e.code() == errc::unsupported);
    FUZZ_CHECK(*e.what() != '\0');
    return;
  }
  if (ep.transport == "tcp") {
    FUZZ_CHECK(!ep.host.empty() && ep.path.empty());
    if (!for_bind)
      FUZZ_CHECK(ep.host != "*" && !ep.any_port && ep.port != 0);
    else
      FUZZ_CHECK(!ep.source);
    FUZZ_CHECK(!ep.any_port || ep.port == 0);
  } else {
    FUZZ_CHECK(ep.transport == "ipc" || ep.transport == "inproc");
    FUZZ_CHECK(!ep.path.empty() && ep.host.empty());
    FUZZ_CHECK(ep.path.size() <= (ep.transport == "ipc" ? max_ipc_path : max_inproc_name));
    if (ep.transport == "ipc" && !for_bind)
      FUZZ_CHECK(ep.path != "*");
  }
  auto canonical = ep.to_string();
  endpoint again;
  try {
    again = parse_endpoint(canonical, for_bind);
  } catch (const error&) {
    FUZZ_CHECK(!"the canonical form of an endpoint does not parse");
  }
  FUZZ_CHECK(again.transport == ep.transport && again.host == ep.host && again.port == ep.port
             && again.any_port == ep.any_port && again.path == ep.path
             && again.source.has_value() == ep.source.has_value());
  FUZZ_CHECK(again.to_string() == canonical);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  check(text, true);
  check(text, false);
  return 0;
}
