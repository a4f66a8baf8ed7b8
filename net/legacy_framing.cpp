// ZMTP 1.0 message encoding (RFC 13 §Framing): header from write_zmtp1_header, then the body.
#include "net/legacy_framing.hpp"

namespace cafmq::net {

void add_zmtp1_message(write_batch& out, const message& m) {
  for (size_t i = 0; i < m.size(); ++i) {
    uint8_t header[max_zmtp1_header] = {};
    size_t h = write_zmtp1_header(header, i + 1 < m.size() ? flag::more : uint8_t{0}, m[i].size());
    out.add_raw(header, h);
    out.add_raw_frame(m[i]);
  }
}

} // namespace cafmq::net
