// Interface lookup through getifaddrs(3).
#include "net/tcp_interfaces.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace cafmq::net {

namespace {

using ifaddrs_ptr = std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)>;

ifaddrs_ptr list_interfaces() {
  ifaddrs* head = nullptr;
  if (::getifaddrs(&head) != 0)
    head = nullptr;
  return {head, &::freeifaddrs};
}

std::optional<boost::asio::ip::address> address_of(const ifaddrs& entry) {
  if (!entry.ifa_addr)
    return std::nullopt;
  if (entry.ifa_addr->sa_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, entry.ifa_addr, sizeof sin);
    return boost::asio::ip::address_v4(ntohl(sin.sin_addr.s_addr));
  }
  if (entry.ifa_addr->sa_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, entry.ifa_addr, sizeof sin6);
    boost::asio::ip::address_v6::bytes_type bytes{};
    std::memcpy(bytes.data(), &sin6.sin6_addr, bytes.size());
    return boost::asio::ip::address_v6(bytes, sin6.sin6_scope_id);
  }
  return std::nullopt;
}

} // namespace

std::optional<boost::asio::ip::address> interface_address(const std::string& name, bool ipv6,
                                                          bool prefer_v6) {
  auto list = list_interfaces();
  std::optional<boost::asio::ip::address> v4;
  std::optional<boost::asio::ip::address> v6;
  for (auto* it = list.get(); it; it = it->ifa_next) {
    if (!it->ifa_name || name != it->ifa_name)
      continue;
    auto addr = address_of(*it);
    if (addr && addr->is_v4() && !v4)
      v4 = addr;
    if (addr && addr->is_v6() && ipv6 && !v6)
      v6 = addr;
  }
  if (prefer_v6 && v6)
    return v6;
  return v4 ? v4 : v6;
}

std::string interface_names() {
  auto list = list_interfaces();
  std::vector<std::string> names;
  for (auto* it = list.get(); it; it = it->ifa_next)
    if (it->ifa_name && std::find(names.begin(), names.end(), it->ifa_name) == names.end())
      names.emplace_back(it->ifa_name);
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

} // namespace cafmq::net
