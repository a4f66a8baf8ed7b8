// Where the pyzmq Majordomo peer (written from RFC 7) lives: next to the interop tests.
#pragma once

#include <string>

namespace cafmq::test {

/// tests/interop/mdp_rfc7_peer.py, run with /usr/bin/python3 (CAFMQ_PYTHON).
inline std::string mdp_peer_script() {
  std::string scenario_peer = CAFMQ_PYZMQ_PEER;
  return scenario_peer.substr(0, scenario_peer.rfind('/')) + "/mdp_rfc7_peer.py";
}

} // namespace cafmq::test
