// The CAF face of monitoring (runtime/actor_api.hpp): an observer actor of the user's own actor
// system receives a socket's monitor events as messages, and a dead observer is simply skipped.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/actor_api.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(ObserverActor, ReceivesMonitorEventsAsTypedMessages) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  {
    caf::scoped_actor self{system};
    add_observer(s, caf::actor_cast<caf::actor>(self));
    s.bind("tcp://127.0.0.1:*");
    bool got = false;
    self->receive([&](const monitor_event& e) {
                    got = e.kind == event_kind::listening && e.endpoint == s.last_endpoint();
                  },
                  caf::after(std::chrono::seconds(5)) >> [] {});
    EXPECT_TRUE(got) << "no listening event reached the observer";
  }
  s.bind("tcp://127.0.0.1:*");  // the observer is gone: nothing breaks
  s.close();
}

} // namespace
} // namespace cafmq
