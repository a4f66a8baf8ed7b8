// The proxy actor (runtime/proxy_actor.hpp): a detached actor that owns the sockets and the
// thread running cafmq::proxy, and turns its atoms into control commands over an inproc PAIR.
#include "runtime/proxy_actor.hpp"

#include "runtime/actor_api.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
constexpr auto command_patience = 5s;

// Observed from the start (its listening events included), then bound and connected.
socket open_socket(context& ctx, const proxy_socket_spec& spec, const std::vector<caf::actor>& observers) {
  socket s{ctx, spec.type, spec.options};
  for (auto& observer : observers)
    add_observer(s, observer);
  for (auto& ep : spec.binds)
    s.bind(ep);
  for (auto& ep : spec.connects)
    s.connect(ep);
  return s;
}

// What the actor owns: the proxy's sockets, its control pair and its thread.
struct proxy_core {
  socket frontend;
  socket backend;
  std::optional<socket> capture;
  socket control;  // the proxy's end
  socket steer;    // the actor's end
  std::thread loop;
  proxy_result result;
  std::string failure;
  std::atomic<bool> stopping{false};

  proxy_core(context& ctx, const proxy_spec& spec, const std::string& control_ep)
    : frontend(open_socket(ctx, spec.frontend, spec.observers)),
      backend(open_socket(ctx, spec.backend, spec.observers)),
      control(ctx, socket_type::pair), steer(ctx, socket_type::pair) {
    if (spec.capture)
      capture.emplace(open_socket(ctx, *spec.capture, {}));
    control.bind(control_ep);
    steer.connect(control_ep);
  }
  proxy_core(const proxy_core&) = delete;
  proxy_core& operator=(const proxy_core&) = delete;
  ~proxy_core() { finish(); }

  // TERMINATE (if the loop still runs) and join: the sockets are then the actor's again.
  void finish() {
    if (!loop.joinable())
      return;
    stopping = true;
    try {
      steer.send(message{"TERMINATE"}, command_patience);
    } catch (const error&) {
      // the context is gone: the loop has ended with socket_closed, or is about to
    }
    loop.join();
  }

  bool command(const char* word) {
    try {
      return steer.send(message{word}, command_patience);
    } catch (const error&) {
      return false;
    }
  }

  std::optional<proxy_statistics> statistics() {
    try {
      while (steer.recv(std::chrono::milliseconds{0})) {
      }  // a reply that came after an earlier call gave up: never taken for this one's
    } catch (const error&) {
      return std::nullopt;
    }
    if (!command("STATISTICS"))
      return std::nullopt;
    try {
      auto reply = steer.recv(command_patience);
      return reply ? parse_statistics(*reply) : std::nullopt;
    } catch (const error&) {
      return std::nullopt;
    }
  }
};

using core_ptr = std::shared_ptr<proxy_core>;

caf::error why_ended(const proxy_core& core) {
  if (!core.failure.empty())
    return make_error(proxy_errc::failed, core.failure);
  return make_error(proxy_errc::sockets_closed,
                    "a socket of the proxy was closed or its context terminated");
}

proxy_actor::behavior_type run(proxy_actor::pointer self, const core_ptr& core, const caf::actor& owner) {
  self->monitor(owner);
  auto owner_addr = owner.address();
  self->set_down_handler([self, core, owner_addr](caf::down_msg& dm) {
    if (dm.source == owner_addr) {
      core->finish();
      self->quit();
    }
  });
  self->attach_functor([core] { core->finish(); });
  auto unavailable = [] { return make_error(proxy_errc::sockets_closed, "the proxy has ended"); };
  return {
    [core, unavailable](proxy_pause_atom) -> caf::result<caf::ok_atom> {
      if (!core->command("PAUSE"))
        return unavailable();
      return caf::ok_atom::value;
    },
    [core, unavailable](proxy_resume_atom) -> caf::result<caf::ok_atom> {
      if (!core->command("RESUME"))
        return unavailable();
      return caf::ok_atom::value;
    },
    [core, unavailable](proxy_stats_atom) -> caf::result<proxy_statistics> {
      if (auto s = core->statistics())
        return *s;
      return unavailable();
    },
    [self, core](proxy_stop_atom) -> caf::result<proxy_statistics> {
      core->finish();
      self->quit();
      return core->result.statistics;
    },
  };
}

// The proxy thread: runs the loop, then (unless the actor asked it to end) makes the actor quit
// with why it ended. The actor's address comes once it is spawned.
void run_loop(proxy_core* core, std::future<caf::actor_addr> actor) {
  try {
    core->result = proxy(core->frontend, core->backend, core->capture ? &*core->capture : nullptr,
                         &core->control);
  } catch (const std::exception& e) {
    core->failure = e.what();
  }
  auto addr = actor.get();
  if (core->stopping)
    return;
  if (auto strong = caf::actor_cast<caf::actor>(addr))
    caf::anon_send(strong, caf::exit_msg{caf::actor_addr{}, why_ended(*core)});
}

} // namespace

namespace proxy_actors {

proxy_actor spawn(caf::local_actor* owner, context& ctx, const proxy_spec& spec) {
  static std::atomic<uint64_t> next{0};
  auto core = std::make_shared<proxy_core>(ctx, spec,
                                           "inproc://cafmq-proxy-actor-" + std::to_string(next++));
  check_proxy_arguments(core->frontend, core->backend, core->capture ? &*core->capture : nullptr,
                        &core->control);  // throws here, on the caller's thread
  std::promise<caf::actor_addr> address;
  core->loop = std::thread(run_loop, core.get(), address.get_future());
  proxy_actor me;
  try {
    me = owner->home_system().spawn<caf::detached>(run, core, caf::actor_cast<caf::actor>(owner));
  } catch (...) {
    address.set_value({});
    core->finish();
    throw;
  }
  address.set_value(me.address());
  return me;
}

} // namespace proxy_actors

} // namespace cafmq
