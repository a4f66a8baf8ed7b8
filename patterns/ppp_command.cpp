#include "patterns/ppp_command.hpp"

#include "patterns/envelope.hpp"

namespace cafmq::patterns::ppp {
namespace {

// A one-frame, one-byte message whose byte is `b`.
bool is_command(const message& m, uint8_t b) noexcept {
  return m.size() == 1 && m[0].size() == 1 && m[0].data()[0] == b;
}

// An envelope-carrying message: frames up to an empty delimiter, then at least one body frame.
classified classify_enveloped(const message& m, kind k) noexcept {
  size_t delimiter = find_delimiter(m);
  if (delimiter == no_delimiter)
    return {kind::malformed, fault::no_envelope, 0};
  if (delimiter + 1 >= m.size())
    return {kind::malformed, fault::no_body, 0};
  return {k, fault::none, delimiter + 1};
}

} // namespace

const char* to_string(fault f) noexcept {
  switch (f) {
    case fault::none: return "none";
    case fault::empty: return "empty";
    case fault::unknown_command: return "unknown_command";
    case fault::no_envelope: return "no_envelope";
    case fault::no_body: return "no_body";
  }
  return "?";
}

const char* to_string(kind k) noexcept {
  switch (k) {
    case kind::ready: return "READY";
    case kind::heartbeat: return "HEARTBEAT";
    case kind::request: return "request";
    case kind::reply: return "reply";
    case kind::malformed: return "malformed";
  }
  return "?";
}

classified classify_from_worker(const message& m) noexcept {
  if (m.empty())
    return {kind::malformed, fault::empty, 0};
  if (m.size() == 1) {
    if (is_command(m, ready_byte))
      return {kind::ready, fault::none, 0};
    if (is_command(m, heartbeat_byte))
      return {kind::heartbeat, fault::none, 0};
    return {kind::malformed, fault::unknown_command, 0};
  }
  return classify_enveloped(m, kind::reply);
}

classified classify_from_queue(const message& m) noexcept {
  if (m.empty())
    return {kind::malformed, fault::empty, 0};
  if (m.size() == 1)
    return is_command(m, heartbeat_byte) ? classified{kind::heartbeat, fault::none, 0}
                                         : classified{kind::malformed, fault::unknown_command, 0};
  return classify_enveloped(m, kind::request);
}

message make_ready() {
  return message{frame{&ready_byte, 1}};
}

message make_heartbeat() {
  return message{frame{&heartbeat_byte, 1}};
}

message prepend(const frame& routing_id, const message& m) {
  message out{routing_id};
  append_frames(out, m);
  return out;
}

message without_first(const message& m) {
  message out;
  append_frames(out, m, 1);
  return out;
}

} // namespace cafmq::patterns::ppp
