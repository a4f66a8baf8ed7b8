// Small conveniences for building and inspecting cafmq messages in tests.
#pragma once

#include "runtime/cafmq.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cafmq::test {

/// The frames of `m` as strings.
inline std::vector<std::string> frames_of(const message& m) {
  std::vector<std::string> out;
  for (size_t i = 0; i < m.size(); ++i)
    out.push_back(m[i].to_string());
  return out;
}

/// A one-frame message of `size` bytes (at least 8) starting with `seq` (little-endian), the
/// rest a pattern derived from `seq`, so corruption and reordering are both detectable.
inline message sequenced(uint64_t seq, size_t size = 8) {
  auto f = frame::uninitialized(size < 8 ? 8 : size);
  auto* p = f.mutable_data();
  std::memcpy(p, &seq, 8);
  for (size_t i = 8; i < f.size(); ++i)
    p[i] = static_cast<uint8_t>((seq * 31 + i) & 0xFF);
  return message{std::move(f)};
}

/// The sequence number of a message built by sequenced() (UINT64_MAX if too short).
inline uint64_t sequence_of(const message& m) {
  if (m.empty() || m[0].size() < 8)
    return UINT64_MAX;
  uint64_t seq = 0;
  std::memcpy(&seq, m[0].data(), 8);
  return seq;
}

/// True if the payload after the sequence number is the expected pattern.
inline bool pattern_intact(const message& m) {
  if (m.size() != 1 || m[0].size() < 8)
    return false;
  auto seq = sequence_of(m);
  auto* p = m[0].data();
  for (size_t i = 8; i < m[0].size(); ++i)
    if (p[i] != static_cast<uint8_t>((seq * 31 + i) & 0xFF))
      return false;
  return true;
}

/// A string of `size` bytes with a position-dependent pattern.
inline std::string patterned(size_t size, uint8_t salt = 0) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>((i * 7 + salt + (i >> 8)) & 0xFF);
  return s;
}

/// Socket options that never make close() wait for an absent peer.
inline socket_options no_linger(socket_options o = {}) {
  o.linger_ms = 0;
  return o;
}

/// No linger, and queues bounded by bytes (1 MiB each way) rather than by count: the message
/// HWMs alone would allow gigabytes of 64 KiB messages.
inline socket_options byte_bounded() {
  socket_options o = no_linger();
  o.sndhwm = 100'000;
  o.rcvhwm = 100'000;
  o.sndhwm_bytes = 1 << 20;
  o.rcvhwm_bytes = 1 << 20;
  return o;
}

} // namespace cafmq::test
