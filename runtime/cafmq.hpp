// The one header users include: #include <cafmq/cafmq.hpp> (installed, or in a build tree that
// adds cafmq with add_subdirectory). The CAF face is opt-in: <cafmq/actor_api.hpp>.
#pragma once

#include "certificates.hpp"
#include "context.hpp"
#include "core/endpoint.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/message.hpp"
#include "core/monitor_event.hpp"
#include "core/monitor_hub.hpp"
#include "core/options.hpp"
#include "core/socket_type.hpp"
#include "core/supervision.hpp"
#include "paranoid_pirate.hpp"
#include "majordomo.hpp"
#include "majordomo_broker.hpp"
#include "poller.hpp"
#include "proxy.hpp"
#include "socket.hpp"
#include "version.hpp"
#include "zap_client.hpp"
