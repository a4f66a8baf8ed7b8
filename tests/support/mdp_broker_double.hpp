// A Majordomo broker double for the client and worker tests: a raw ROUTER and the MDP codec, so
// a test sees every frame the client or worker puts on the wire and answers by hand.
#pragma once

#include "patterns/mdp_codec.hpp"
#include "runtime/cafmq.hpp"
#include "support/messages.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace cafmq::test {

class mdp_broker_double {
public:
  using command = patterns::mdp::command;

  explicit mdp_broker_double(context& ctx) : router_(ctx, socket_type::router, no_linger()) {
    router_.bind("tcp://127.0.0.1:*");
  }

  const std::string& endpoint() const noexcept { return router_.last_endpoint(); }

  /// The next message as received (routing id first); nullopt on timeout.
  std::optional<message> recv_raw(std::chrono::milliseconds timeout) { return router_.recv(timeout); }

  /// The next message, parsed; nullopt on timeout. A malformed one is kept in `fault`.
  std::optional<patterns::mdp::broker_inbound> recv(std::chrono::milliseconds timeout) {
    auto m = router_.recv(timeout);
    if (!m)
      return std::nullopt;
    patterns::mdp::broker_inbound in;
    last_fault = patterns::mdp::parse_broker_inbound(*m, in);
    return in;
  }

  void send_request(const message& worker, const message& client, const message& body) {
    router_.send(patterns::mdp::broker_request(worker, client, body));
  }
  void send_signal(const message& worker, command c) {
    router_.send(patterns::mdp::broker_signal(worker, c));
  }
  void send_reply(const message& client, std::string_view service, const message& body) {
    router_.send(patterns::mdp::broker_reply(client, service, body));
  }
  /// Sends `frames` after `peer`'s address as they are (malformed messages).
  void send_raw(const message& peer, std::initializer_list<std::string_view> frames) {
    message m = peer;
    for (auto f : frames)
      m.add(frame{f});
    router_.send(std::move(m));
  }

  patterns::mdp::fault last_fault = patterns::mdp::fault::none;

private:
  socket router_;
};

/// The one-frame body `text`.
inline message body_of(std::string_view text) { return message{text}; }

} // namespace cafmq::test
