// Internal to the Majordomo client and worker (runtime/majordomo_*.cpp); not installed.
#pragma once

#include "runtime/core/error.hpp"
#include "runtime/core/message.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

namespace cafmq::mdp::detail {

using clock = std::chrono::steady_clock;

/// Time left until `t`, rounded up to whole milliseconds (a wait never ends before `t`); 0 if past.
inline std::chrono::milliseconds until(clock::time_point t) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(t - clock::now());
  return std::max(left, std::chrono::milliseconds{0});
}

/// Throws errc::invalid_argument, naming `call`, for an empty service or a body of no frames.
inline void check_request(const char* call, std::string_view service, const message& body) {
  if (service.empty())
    throw error{errc::invalid_argument, std::string{call} + ": the service name is empty"};
  if (body.empty())
    throw error{errc::invalid_argument, std::string{call} + ": the body has no frames"};
}

} // namespace cafmq::mdp::detail
