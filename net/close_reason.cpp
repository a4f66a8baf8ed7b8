// Dial error texts -> codes.
#include "net/close_reason.hpp"

namespace cafmq::net {

namespace {

bool has(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

} // namespace

event_reason classify_dial_error(const std::string& error) {
  if (has(error, "refused"))
    return event_reason::refused;
  if (has(error, "cannot resolve") || has(error, "unreachable") || has(error, "No route"))
    return event_reason::unreachable;
  if (has(error, "timed out"))
    return event_reason::timeout;
  return event_reason::io;
}

} // namespace cafmq::net
