// The one header users include.
#pragma once

#include "runtime/context.hpp"
#include "runtime/core/endpoint.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/log.hpp"
#include "runtime/core/message.hpp"
#include "runtime/core/monitor_event.hpp"
#include "runtime/core/monitor_hub.hpp"
#include "runtime/core/options.hpp"
#include "runtime/core/socket_type.hpp"
#include "runtime/core/supervision.hpp"
#include "runtime/socket.hpp"
#include "runtime/zap_client.hpp"
