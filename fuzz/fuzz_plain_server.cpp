// The PLAIN server (security/plain_mechanism). Input: byte 0 (bit 0: a validator requiring a
// Socket-Type; bit 1: the authenticator answers only after the next command), then the client's
// commands as ZMTP frames (HELLO, INITIATE, ERROR, anything). The authenticator answers 200, 300,
// 400 or 500 by the password's length modulo 4 ("password": 200) and must see exactly the user
// name and password of the HELLO. Invariants: mechanism_driver.hpp.
#include "mechanism_driver.hpp"

#include "security/plain_mechanism.hpp"

#include <algorithm>

using namespace cafmq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const bool strict = (data[0] & 1) != 0;
  const bool defer = (data[0] & 2) != 0;
  metadata ours;
  ours.add("Socket-Type", "ROUTER");
  auto frames = fuzz::split_frames(data + 1, size - 1);
  security::plain_server m{"global", ours, strict ? fuzz::require_socket_type : peer_validator{}};
  std::string allowed_user;
  auto policy = [&](const auth_request& req) {
    FUZZ_CHECK(req.domain == "global" && req.mechanism == "PLAIN" && req.credentials.size() == 2);
    auto hello = security::make_plain_hello(req.credentials[0], req.credentials[1]);
    FUZZ_CHECK(hello && std::any_of(frames.begin(), frames.end(),
                                    [&](const fuzz::wire_frame& f) { return f.body == *hello; }));
    static const int codes[] = {200, 300, 400, 500};
    allowed_user = req.credentials[0];
    return auth_reply{codes[req.credentials[1].size() % 4], "fuzz", req.credentials[0]};
  };
  size_t next = 0;
  if (fuzz::drive(m, frames, next, policy, defer, strict) == fuzz::status::ready)
    FUZZ_CHECK(m.user_id() == allowed_user);
  fuzz::decode_rest(m, frames, next);
  return 0;
}
