// Who runs the process at the other end of a Unix-domain connection, as the kernel vouches for
// it (SO_PEERCRED when the connection was made): what ipc filters and authenticators judge.
#pragma once

#include <cstdint>

namespace cafmq {

struct process_credentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  int32_t pid = 0;
};

} // namespace cafmq
