// The allowed policies per type (protocol-reference §5.4 gives the defaults).
#include "patterns/full_policy.hpp"

#include "runtime/core/error.hpp"
#include "runtime/core/socket_descriptor.hpp"

#include <string>

namespace cafmq::patterns {

namespace {

bool drops_by_default(socket_type t) {
  return descriptor_of(t).drops_when_full;
}

// Types whose sends never queue by choice: they receive only, or the RFC fixes the outcome (REP
// drops replies to a gone or full peer, XSUB drops data and never loses subscriptions).
bool has_no_choice(socket_type t) {
  return descriptor_of(t).send_policy_fixed;
}

[[noreturn]] void refuse(socket_type t, full_policy p, const std::string& why) {
  throw error{errc::invalid_argument, std::string("full_policy ") + to_string(p) + " is invalid for "
                                        + std::string(zmtp_name(t)) + " sockets: " + why};
}

} // namespace

const char* to_string(full_policy p) noexcept {
  switch (p) {
    case full_policy::automatic: return "automatic";
    case full_policy::block: return "block";
    case full_policy::drop_newest: return "drop_newest";
    case full_policy::drop_oldest: return "drop_oldest";
    case full_policy::error: return "error";
  }
  return "unknown";
}

full_policy resolve_full_policy(socket_type t, const socket_options& o) {
  auto p = o.full_policy;
  bool nodrop = t == socket_type::xpub && o.xpub_nodrop;
  bool mandatory = t == socket_type::router && o.router_mandatory;
  if (p == full_policy::automatic) {
    if (nodrop || mandatory)
      return full_policy::block;  // xpub_nodrop / router_mandatory: would-block instead of a drop
    return drops_by_default(t) ? full_policy::drop_newest : full_policy::block;
  }
  if (has_no_choice(t))
    refuse(t, p, "they have no send queue to choose a policy for (leave it automatic)");
  bool drops = p == full_policy::drop_newest || p == full_policy::drop_oldest;
  if (drops && t == socket_type::req)
    refuse(t, p, "a dropped request would leave the REQ waiting for a reply that never comes");
  if (drops && t == socket_type::stream)
    refuse(t, p, "a STREAM carries a byte stream: a dropped piece would corrupt it");
  if (drops && nodrop)
    refuse(t, p, "it contradicts xpub_nodrop");
  if (drops && mandatory)
    refuse(t, p, "it contradicts router_mandatory (which never drops silently)");
  return p;
}

} // namespace cafmq::patterns
