#include "runtime/core/peer_properties.hpp"

#include <cctype>

namespace cafmq {

namespace {

bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

} // namespace

std::optional<std::string_view> peer_properties::get(std::string_view name) const {
  if (same(name, "User-Id"))
    return std::string_view{user_id_};
  if (same(name, "Peer-Address"))
    return std::string_view{address_};
  if (same(name, "Curve-Public-Key"))
    return curve_key_.empty() ? std::nullopt : std::optional<std::string_view>{curve_key_};
  return said_.find(name);
}

} // namespace cafmq
