// The NULL handshake (security/null_mechanism). Input: byte 0 (bit 0: a validator requiring a
// Socket-Type; bit 1: our metadata as a ROUTER with an Identity rather than a DEALER: NULL is
// symmetric, these are its two roles in practice), then the peer's commands as ZMTP frames
// (READY, ERROR, anything). Invariants: mechanism_driver.hpp.
#include "mechanism_driver.hpp"

#include "security/null_mechanism.hpp"

using namespace cafmq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const bool strict = (data[0] & 1) != 0;
  metadata ours;
  ours.add("Socket-Type", (data[0] & 2) ? "ROUTER" : "DEALER");
  if (data[0] & 2)
    ours.add("Identity", "fuzz");
  auto frames = fuzz::split_frames(data + 1, size - 1);
  security::null_mechanism m{ours, strict ? fuzz::require_socket_type : peer_validator{}};
  size_t next = 0;
  fuzz::drive(m, frames, next, nullptr, false, strict);
  fuzz::decode_rest(m, frames, next);
  return 0;
}
