// cafmq's errors as error codes, for the Asio face: an operation that the socket refuses
// (errc::wrong_state, errc::socket_closed, ...) completes with one of these instead of throwing.
// The category converts to std::error_category (Boost.System does it), so the codes compare with
// std::error_code too.
#pragma once

#include "../core/error.hpp"

#include <boost/system/error_code.hpp>

#include <string>
#include <type_traits>

namespace cafmq {

namespace asio::detail {

class error_category_impl final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "cafmq"; }
  std::string message(int value) const override {
    return value >= 1 && value <= static_cast<int>(errc::concurrent_use) + 1
             ? to_string(static_cast<errc>(value - 1))
             : "unknown cafmq error " + std::to_string(value);
  }
};

} // namespace asio::detail

namespace asio {

/// The category of cafmq's error codes (name "cafmq"; message() is to_string(errc)).
inline const boost::system::error_category& error_category() noexcept {
  static const detail::error_category_impl category;
  return category;
}

} // namespace asio

/// `code` as an error code of asio::error_category(). The value is the enumerator plus one, as 0
/// means success: compare with the enumerator (`ec == cafmq::errc::socket_closed`).
inline boost::system::error_code make_error_code(errc code) noexcept {
  return {static_cast<int>(code) + 1, asio::error_category()};
}

} // namespace cafmq

template <>
struct boost::system::is_error_code_enum<cafmq::errc> : std::true_type {};
