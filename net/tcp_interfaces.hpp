// Network interface names as tcp hosts ("tcp://lo:5555", as libzmq's interface names) and the
// address family rule of the ipv6 option.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>

namespace cafmq::net {

/// The address of interface `name` (getifaddrs): its first IPv4 address, else, when `ipv6`, its
/// first IPv6 one; with `prefer_v6`, its first IPv6 one first. nullopt if there is no such
/// interface or it has no usable address.
std::optional<boost::asio::ip::address> interface_address(const std::string& name, bool ipv6,
                                                          bool prefer_v6 = false);

/// The interfaces there are, for error messages: "lo, eth0".
std::string interface_names();

} // namespace cafmq::net
