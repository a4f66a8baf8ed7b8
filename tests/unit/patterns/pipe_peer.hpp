// In-memory peers for pattern unit tests: real cafmq::pipe objects whose far side the test plays
// by pushing to inbound() and popping from outbound(). No engine, no socket.
#pragma once

#include "runtime/core/pipe.hpp"

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

} // namespace cafmq::test
