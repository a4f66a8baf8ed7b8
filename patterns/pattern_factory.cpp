// make_pattern: which pattern each socket type runs, and the defaults of the type-specific calls.
#include "patterns/pattern_factory.hpp"

#include "patterns/full_policy.hpp"
#include "runtime/core/error.hpp"

namespace cafmq::patterns {

void cannot(socket_type t, const char* what, const char* rfc) {
  throw error{errc::unsupported,
              std::string(zmtp_name(t)) + " sockets cannot " + what + " (" + rfc + ")"};
}

void socket_pattern::subscribe(std::string_view, bool) {
  throw error{errc::unsupported, "only SUB sockets (and XPUB with xpub_manual) take subscriptions"};
}

size_t socket_pattern::subscribers() {
  throw error{errc::unsupported, "only PUB and XPUB sockets count subscribers"};
}

void socket_pattern::abandon_request() {
  throw error{errc::unsupported, "only REQ sockets make requests"};
}

std::unique_ptr<socket_pattern> make_pattern(socket_type type, const socket_options& o) {
  resolve_full_policy(type, o);  // throws for a policy the type does not allow
  switch (type) {
    case socket_type::push: return make_push(o);
    case socket_type::pull: return make_pull(o);
    case socket_type::pair: return make_pair(o);
    case socket_type::stream: return make_stream(o);
    case socket_type::req: return make_req(o);
    case socket_type::rep: return make_rep(o);
    case socket_type::dealer: return make_dealer(o);
    case socket_type::router: return make_router(o);
    case socket_type::pub: return make_pub(o);
    case socket_type::sub: return make_sub(o);
    case socket_type::xpub: return make_xpub(o);
    case socket_type::xsub: return make_xsub(o);
  }
  throw error{errc::invalid_argument, "unknown socket type " + std::to_string(static_cast<int>(type))};
}

} // namespace cafmq::patterns
