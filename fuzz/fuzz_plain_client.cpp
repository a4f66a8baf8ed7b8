// The PLAIN client (security/plain_mechanism) after a legitimate start (its HELLO sent). Input:
// byte 0 (bit 0: a validator requiring a Socket-Type), then the server's commands as ZMTP frames
// (WELCOME, READY, ERROR, libzmq 4.3's "\x5eRROR", anything). Invariants: mechanism_driver.hpp.
#include "mechanism_driver.hpp"

#include "security/plain_mechanism.hpp"

using namespace cafmq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const bool strict = (data[0] & 1) != 0;
  metadata ours;
  ours.add("Socket-Type", "DEALER");
  auto frames = fuzz::split_frames(data + 1, size - 1);
  security::plain_client m{"admin", "password", ours,
                           strict ? fuzz::require_socket_type : peer_validator{}};
  size_t next = 0;
  fuzz::drive(m, frames, next, nullptr, false, strict);
  fuzz::decode_rest(m, frames, next);
  return 0;
}
