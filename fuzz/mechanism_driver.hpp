// Runs one side of a mechanism handshake on fuzzed commands as the engine does (start, then each
// command body, the authenticator's answer right away or after the next command), checking what
// holds for every mechanism whatever the peer sends:
//  - every command we emit parses as a command;
//  - a failure has a reason, and never both asks to send ERROR and says the peer sent one;
//  - once failed, a mechanism stays failed and emits nothing more;
//  - a client never asks the authenticator, a server asks at most once per request;
//  - ready only with peer metadata the validator accepted (a Socket-Type, when one is required);
//  - once ready, the cipher (CURVE's only) decodes or refuses the remaining frames, never both.
#pragma once

#include "fuzz_support.hpp"

#include "runtime/core/mechanism.hpp"

#include <functional>
#include <optional>

namespace cafmq::fuzz {

using status = mechanism::status;

/// Refuses a peer without a Socket-Type property.
inline std::optional<connection_end> require_socket_type(const metadata& md) {
  if (md.find("Socket-Type"))
    return std::nullopt;
  return permanent_end(event_reason::incompatible_socket_type, "no Socket-Type");
}

/// How the authenticator answers a request.
using auth_policy = std::function<auth_reply(const auth_request&)>;

inline void check_step(mechanism& m, status st, const std::vector<bytes>& out, bool strict_peer) {
  for (auto& body : out)
    FUZZ_CHECK(parse_command(body.data(), body.size()).has_value());
  if (st == status::failed) {
    auto& f = m.failure();
    FUZZ_CHECK(!f.reason.empty());
    FUZZ_CHECK(f.code != event_reason::none && f.code != event_reason::io);  // set where it failed
    FUZZ_CHECK(!(f.send_error && f.peer_said_error));
  }
  if (st == status::ready && strict_peer)
    FUZZ_CHECK(m.peer_metadata().find("Socket-Type").has_value());
}

/// Feeds `frames[next..]` to `m` until it is ready or failed (`next` ends past the last frame
/// used); server mechanisms' requests go to `policy`, answered after the next command when
/// `defer_auth`. Returns the final status.
inline status drive(mechanism& m, const std::vector<wire_frame>& frames, size_t& next,
                    const auth_policy& policy, bool defer_auth, bool strict_peer) {
  std::vector<bytes> out;
  status st = m.start(out);
  check_step(m, st, out, strict_peer);
  std::optional<auth_request> waiting;
  while (st == status::handshaking && (next < frames.size() || waiting)) {
    if (waiting && (!defer_auth || next >= frames.size())) {
      out.clear();
      st = m.on_auth_reply(policy(*waiting), out);
      waiting.reset();
      check_step(m, st, out, strict_peer);
      continue;
    }
    out.clear();
    auto& body = frames[next++].body;
    st = m.on_command(body.data(), body.size(), out);
    check_step(m, st, out, strict_peer);
    if (st != status::handshaking)
      break;
    if (auto req = m.take_auth_request()) {
      FUZZ_CHECK(m.as_server());
      FUZZ_CHECK(!m.take_auth_request().has_value());
      FUZZ_CHECK(req->mechanism == m.name());
      waiting = std::move(req);
    }
  }
  if (waiting && st == status::failed) {  // the answer arrives after the connection failed
    out.clear();
    FUZZ_CHECK(m.on_auth_reply(policy(*waiting), out) == status::failed);
    FUZZ_CHECK(out.empty());
  }
  if (st == status::failed) {
    out.clear();
    const uint8_t ready[] = {5, 'R', 'E', 'A', 'D', 'Y'};
    FUZZ_CHECK(m.on_command(ready, sizeof ready, out) == status::failed && out.empty());
    FUZZ_CHECK(m.start(out) == status::failed && out.empty());
  }
  return st;
}

/// After a handshake: the remaining frames through the cipher, if the mechanism has one.
inline void decode_rest(mechanism& m, const std::vector<wire_frame>& frames, size_t next) {
  auto cipher = m.take_cipher();
  FUZZ_CHECK(m.take_cipher() == nullptr);  // handed over once
  if (!cipher)
    return;
  for (; next < frames.size(); ++next) {
    uint8_t flags = 0xEE;
    frame payload;
    auto& body = frames[next].body;
    if (cipher->decode(body.data(), body.size(), flags, payload))
      continue;  // refused: the engine closes the connection
    FUZZ_CHECK(body.size() == cipher->encoded_size(payload.size()));
  }
}

} // namespace cafmq::fuzz
