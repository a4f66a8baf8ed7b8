// Encoding messages for a ZMTP 1.0 peer (RFC 13). ZMTP 2.0 data frames are byte for byte those of
// 3.x (without the COMMAND bit), so a 2.0 peer gets write_batch::add_message as it is.
#pragma once

#include "net/write_batch.hpp"

namespace cafmq::net {

/// Appends every frame of `m` with ZMTP 1.0 headers (MORE on all but the last); bodies are
/// copied up to write_batch::copy_limit and referenced in place beyond.
void add_zmtp1_message(write_batch& out, const message& m);

} // namespace cafmq::net
