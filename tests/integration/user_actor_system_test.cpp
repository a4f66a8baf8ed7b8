// context(caf::actor_system&): a context whose actors run on the user's own actor system (no
// second scheduler). Messages flow; destroying the context stops its own actors only; the
// user's system keeps working afterwards and still shuts down cleanly.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using twice_atom = caf::atom_constant<caf::atom("twice")>;

// Takes its factor as an argument: CAF 0.17 spawning a function without arguments binds a
// reference to a null tuple (UBSan reports it), which this test must not trip over.
caf::behavior doubler(int factor) {
  return {[factor](twice_atom, int x) { return factor * x; }};
}

// Asks a fresh actor of `system` to double 21; the answer, or -1.
int ask_doubler(caf::actor_system& system) {
  auto d = system.spawn(doubler, 2);
  int answer = -1;
  {
    caf::scoped_actor self{system};
    self->request(d, std::chrono::seconds(5), twice_atom::value, 21)
      .receive([&](int x) { answer = x; }, [](caf::error&) {});
  }
  caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
  return answer;
}

TEST(UserActorSystem, AContextRunsOnItAndLeavesItWorking) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system system{cfg};
  auto before = system.registry().running();
  {
    context ctx{system};
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.bind("tcp://127.0.0.1:*");
    socket push{ctx, socket_type::push, test::no_linger()};
    push.connect(pull.last_endpoint());
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(push.send(message{"m" + std::to_string(i)}, 5000ms));
    for (int i = 0; i < 100; ++i) {
      auto m = pull.recv(5000ms);
      ASSERT_TRUE(m.has_value()) << "message " << i;
      EXPECT_EQ((*m)[0].to_string(), "m" + std::to_string(i));
    }
    EXPECT_GT(system.registry().running(), before) << "the context's actors run on this system";
    auto tree = ctx.supervision_tree();
    EXPECT_EQ(tree.children.size(), 2u) << to_text(tree);
  }
  // The context's actors are gone; the system is the user's again.
  // (CAF unregisters an actor as it terminates, around when the context stops waiting for it.)
  EXPECT_TRUE(test::eventually([&] { return system.registry().running() == before; }, 2000ms))
    << system.registry().running() << " actors running, " << before << " before the context";
  EXPECT_EQ(ask_doubler(system), 42);
}  // ~actor_system: returns only if nothing of the context is left running

} // namespace
} // namespace cafmq
