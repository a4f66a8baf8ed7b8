// In-memory peers for pattern unit tests: real cafmq::pipe objects whose far side the test plays
// by pushing to inbound() and popping from outbound(). No engine, no socket.
#pragma once

#include "patterns/subscription_message.hpp"
#include "runtime/core/pipe.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cafmq::test {

inline pipe_ptr make_pipe(std::string routing_id = {}, size_t hwm = 16) {
  static uint64_t next_id = 0;
  auto p = std::make_shared<pipe>(hwm, hwm, nullptr, ++next_id);
  p->routing_id = std::move(routing_id);
  return p;
}

inline message msg(std::initializer_list<std::string_view> frames) {
  return message{frames};
}

/// The peer sends `m` to the socket; false if the socket's receive ring is full.
inline bool peer_send(const pipe_ptr& p, message m) {
  if (!p->inbound().try_push(m))
    return false;
  p->inbound().flush();
  return true;
}

/// What the socket sent to the peer, oldest first, as frame strings; nullopt if nothing.
inline std::optional<std::vector<std::string>> peer_recv(const pipe_ptr& p) {
  message m;
  if (!p->outbound().try_pop(m))
    return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < m.size(); ++i)
    out.push_back(m[i].to_string());
  return out;
}

inline std::vector<std::string> frames(const message& m) {
  std::vector<std::string> out;
  for (size_t i = 0; i < m.size(); ++i)
    out.push_back(m[i].to_string());
  return out;
}

using strings = std::vector<std::string>;

/// A pipe with roomy rings unless told otherwise (the publish-subscribe tests).
inline pipe_ptr make_hwm_pipe(size_t sndhwm = 100, size_t rcvhwm = 100) {
  static uint64_t next_id = 0;
  return std::make_shared<cafmq::pipe>(sndhwm, rcvhwm, nullptr, ++next_id);
}

// The peer sends `m` (its engine pushes into our inbound ring).
inline void peer_sends(const pipe_ptr& p, message m) {
  ASSERT_TRUE(p->inbound().try_push(m));
  p->inbound().flush();
}

inline void peer_subscribes(const pipe_ptr& p, std::string_view prefix, bool add = true) {
  peer_sends(p, patterns::subscription_message(prefix, add));
}

// Everything the peer has been sent, as first-frame strings (multipart frames joined with '|').
inline std::vector<std::string> peer_got(const pipe_ptr& p) {
  std::vector<std::string> out;
  message m;
  while (p->outbound().try_pop(m)) {
    std::string s;
    for (size_t i = 0; i < m.size(); ++i)
      s += (i ? "|" : "") + m[i].to_string();
    out.push_back(s);
  }
  return out;
}

} // namespace cafmq::test
