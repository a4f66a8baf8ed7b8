// The socket type table (RFC 23 §The Socket-Type Property for peers; libzmq's
// per-type defaults).
#include "runtime/core/socket_descriptor.hpp"

#include <array>
#include <initializer_list>

namespace cafmq {

namespace {

using st = socket_type;
using role = subscription_role;

constexpr uint16_t peers_of(std::initializer_list<socket_type> types) {
  uint16_t mask = 0;
  for (auto t : types)
    mask = static_cast<uint16_t>(mask | (1u << static_cast<unsigned>(t)));
  return mask;
}

// In socket_type order. Columns: sends, receives, peers, sends_identity,
// subscriptions, pipe_per_connection, raw, drops_when_full, send_policy_fixed.
constexpr std::array<socket_descriptor, 12> table{{
  {st::pair, "PAIR", "pair", true, true, peers_of({st::pair}), false, role::none, false, false,
   false, false},
  {st::pub, "PUB", "pub", true, false, peers_of({st::sub, st::xsub}), false, role::publisher, false,
   false, true, false},
  {st::sub, "SUB", "sub", false, true, peers_of({st::pub, st::xpub}), false, role::subscriber,
   false, false, false, true},
  {st::req, "REQ", "req", true, true, peers_of({st::rep, st::router}), true, role::none, false,
   false, false, false},
  {st::rep, "REP", "rep", true, true, peers_of({st::req, st::dealer}), false, role::none, false,
   false, false, true},
  {st::dealer, "DEALER", "dealer", true, true, peers_of({st::rep, st::dealer, st::router}), true,
   role::none, false, false, false, false},
  {st::router, "ROUTER", "router", true, true, peers_of({st::req, st::dealer, st::router}), true,
   role::none, true, false, true, false},
  {st::pull, "PULL", "pull", false, true, peers_of({st::push}), false, role::none, false, false,
   false, true},
  {st::push, "PUSH", "push", true, false, peers_of({st::pull}), false, role::none, false, false,
   false, false},
  {st::xpub, "XPUB", "xpub", true, true, peers_of({st::sub, st::xsub}), false, role::publisher,
   false, false, true, false},
  {st::xsub, "XSUB", "xsub", true, true, peers_of({st::pub, st::xpub}), false, role::subscriber,
   false, false, false, true},
  {st::stream, "STREAM", "stream", true, true, 0, false, role::none, true, true, false, false},
}};

constexpr bool in_enum_order() {
  for (size_t i = 0; i < table.size(); ++i)
    if (static_cast<size_t>(table[i].type) != i)
      return false;
  return true;
}
static_assert(in_enum_order(), "descriptor_of indexes the table by socket_type");

} // namespace

const socket_descriptor& descriptor_of(socket_type t) noexcept {
  auto i = static_cast<size_t>(t);
  return table[i < table.size() ? i : 0];
}

bool talks_to(socket_type ours, std::string_view peer) noexcept {
  for (auto& d : table)
    if (d.zmtp_name == peer)
      return (descriptor_of(ours).peers >> static_cast<unsigned>(d.type)) & 1u;
  return false;
}

} // namespace cafmq
