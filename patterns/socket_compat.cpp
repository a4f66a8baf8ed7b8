// The Socket-Type compatibility table (RFC 23 §The Socket-Type Property; libzmq
// check_socket_type). Peer names compare exactly, as in libzmq; STREAM never speaks ZMTP to a peer.
#include "patterns/socket_compat.hpp"

#include <initializer_list>
#include <string>

namespace cafmq::patterns {

namespace {

bool one_of(std::string_view peer, std::initializer_list<socket_type> allowed) noexcept {
  for (auto t : allowed)
    if (zmtp_name(t) == peer)
      return true;
  return false;
}

} // namespace

bool compatible(socket_type ours, std::string_view peer) noexcept {
  using st = socket_type;
  switch (ours) {
    case st::req:
      return one_of(peer, {st::rep, st::router});
    case st::rep:
      return one_of(peer, {st::req, st::dealer});
    case st::dealer:
      return one_of(peer, {st::rep, st::dealer, st::router});
    case st::router:
      return one_of(peer, {st::req, st::dealer, st::router});
    case st::pub:
    case st::xpub:
      return one_of(peer, {st::sub, st::xsub});
    case st::sub:
    case st::xsub:
      return one_of(peer, {st::pub, st::xpub});
    case st::push:
      return one_of(peer, {st::pull});
    case st::pull:
      return one_of(peer, {st::push});
    case st::pair:
      return one_of(peer, {st::pair});
    case st::stream:
      return false;
  }
  return false;
}

peer_validator socket_type_validator(socket_type ours) {
  return [ours](const metadata& peer) -> std::string {
    auto type = peer.find("Socket-Type");
    if (!type || compatible(ours, *type))
      return {};
    return "incompatible Socket-Type: " + std::string(zmtp_name(ours)) + " socket cannot talk to a "
           + printable(*type) + " peer";
  };
}

} // namespace cafmq::patterns
