// What a socket knows about the peer a received message came from: the metadata the peer sent
// in its handshake, and what the handshake itself established (libzmq's message properties,
// zmq_msg_gets). The established ones can never be claimed by the peer: a peer that sends a
// "User-Id" property of its own does not get to set it.
#pragma once

#include "zmtp_command.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cafmq {

/// The properties of one connection, fixed once its handshake is done.
class peer_properties {
public:
  /// `said`: the peer's metadata; `user_id`: the identity the authenticator vouched for (or the
  /// server's key a CURVE client checked); `address`: the peer's IP address; `curve_key`: its
  /// CURVE public key in Z85, if any.
  peer_properties(metadata said, std::string user_id, std::string address, std::string curve_key)
    : said_(std::move(said)), user_id_(std::move(user_id)), address_(std::move(address)),
      curve_key_(std::move(curve_key)) {}

  /// A property by name, case-insensitively: "User-Id", "Peer-Address" and "Curve-Public-Key"
  /// from the handshake, any other ("Socket-Type", "Identity", "X-...") as the peer sent it.
  std::optional<std::string_view> get(std::string_view name) const;

  /// The peer's Socket-Type ("DEALER").
  std::string_view socket_type() const { return said_.find("Socket-Type").value_or(""); }
  /// The peer's Identity property (its routing id), possibly empty.
  std::string_view identity() const { return said_.find("Identity").value_or(""); }
  /// The authenticated identity; empty for NULL and for PLAIN clients.
  const std::string& user_id() const noexcept { return user_id_; }
  /// The peer's IP address.
  const std::string& peer_address() const noexcept { return address_; }
  /// The peer's CURVE public key in Z85 (40 characters), empty without CURVE.
  const std::string& curve_public_key() const noexcept { return curve_key_; }
  /// Everything the peer said about itself, in wire order.
  const metadata& said() const noexcept { return said_; }

private:
  metadata said_;
  std::string user_id_;
  std::string address_;
  std::string curve_key_;
};

using peer_properties_ptr = std::shared_ptr<const peer_properties>;

} // namespace cafmq
