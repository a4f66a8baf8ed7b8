// Maps the error texts of dials to monitor event reason codes (connection ends carry their code
// from where they failed: connection_end).
#pragma once

#include "runtime/core/connection_end.hpp"
#include "runtime/core/monitor_event.hpp"

#include <string>

namespace cafmq::net {

/// The code of a dial_tcp error text.
event_reason classify_dial_error(const std::string& error);

} // namespace cafmq::net
