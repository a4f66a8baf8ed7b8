// Maps the reason texts of engines and dials to monitor event reason codes. The texts are made in
// net/ (zmtp_engine, greeting, null_mechanism, socket_compat); this is the one place that
// reads them, and tests/unit/net/close_reason_test.cpp pins each one.
#pragma once

#include "runtime/core/connection_end.hpp"
#include "runtime/core/monitor_event.hpp"

#include <string>

namespace cafmq::net {

/// The code of an engine's on_closed(reason, may_reconnect).
event_reason classify_close(const std::string& reason, bool may_reconnect);

} // namespace cafmq::net
