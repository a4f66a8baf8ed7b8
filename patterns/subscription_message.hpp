// The one-frame form of subscriptions inside cafmq (and on ZMTP 3.0 wires): 0x01 + prefix
// subscribes, 0x00 + prefix cancels. The engine turns ZMTP 3.1 SUBSCRIBE/CANCEL commands into
// this form and back, so the patterns see one kind only.
#pragma once

#include "runtime/core/message.hpp"

#include <cstring>
#include <string_view>

namespace cafmq::patterns {

/// True if `m` is a subscribe or cancel message.
inline bool is_subscription(const message& m) noexcept {
  return m.size() == 1 && !m[0].empty() && m[0].data()[0] <= 1;
}

/// For a subscription message: true for subscribe, false for cancel.
inline bool is_subscribe(const message& m) noexcept { return m[0].data()[0] == 1; }

/// For a subscription message: the prefix after the first byte.
inline std::string_view prefix_of(const message& m) noexcept {
  return {reinterpret_cast<const char*>(m[0].data()) + 1, m[0].size() - 1};
}

/// The bytes a subscription matches against: the message's first frame.
inline std::string_view topic_of(const message& m) noexcept {
  if (m.empty())
    return {};
  return {reinterpret_cast<const char*>(m[0].data()), m[0].size()};
}

/// A subscribe (`subscribe`) or cancel message for `prefix`.
inline message subscription_message(std::string_view prefix, bool subscribe) {
  frame f = frame::uninitialized(prefix.size() + 1);
  f.mutable_data()[0] = subscribe ? 1 : 0;
  if (!prefix.empty())
    std::memcpy(f.mutable_data() + 1, prefix.data(), prefix.size());
  return message{std::move(f)};
}

} // namespace cafmq::patterns
