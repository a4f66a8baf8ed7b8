// What the engines (zmtp_engine, raw_engine) share at their edges on the I/O thread: the exception
// boundary every entry point runs inside, and the connection_end of a failed read or write.
#pragma once

#include "runtime/core/connection_end.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <string>
#include <string_view>
#include <system_error>

namespace cafmq::net {

/// Runs one entry point of an engine (a completion handler, a kick, a posted close). An exception
/// never leaves it: its what() goes to `on_fault`, which must close that one connection with code
/// internal and not throw. Every other connection of the I/O thread carries on.
template <class Body, class Fault>
void guarded(Body&& body, Fault&& on_fault) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    on_fault(e.what());
  } catch (...) {
    on_fault("unknown exception");
  }
}

/// The boundary's verdict for one engine: the connection ends with code internal, logged at error
/// under `tag`; `shut` closes it, then the observer still held (`take_observer` moves it out of
/// the engine) hears it, so it hears once even when the exception came from inside `shut`.
template <class Shut, class TakeObserver>
void end_on_fault(const char* what, const char* tag, const std::string& peer, Shut&& shut,
                  TakeObserver&& take_observer) noexcept {
  auto end = transient_end(event_reason::internal, std::string("internal error: ") + what);
  log::write(log::level::error, tag, peer + ": " + end.detail);
  try {
    shut(end);
  } catch (...) {  // NOLINT(bugprone-empty-catch): the observer still hears of it below
  }
  if (auto observer = take_observer()) {
    try {
      observer->on_closed(end);
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done for it
    }
  }
}

/// The end of a connection whose read or write failed with `ec`: the peer's EOF is io ("connection
/// closed by peer"); an OS error maps by its errno value (os_end), never by its text.
inline connection_end stream_end(const boost::system::error_code& ec, std::string_view what) {
  if (ec == boost::asio::error::eof)
    return transient_end(event_reason::io, "connection closed by peer");
  if (ec.category() == boost::system::system_category())
    return os_end(std::error_code(ec.value(), std::system_category()), what);
  if (ec.category() == boost::system::generic_category())
    return os_end(std::error_code(ec.value(), std::generic_category()), what);
  return transient_end(event_reason::io, std::string(what) + ": " + ec.message());
}

} // namespace cafmq::net
