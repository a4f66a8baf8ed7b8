// The composition of the control plane: CAF actor system (sharing scheduler: work-stealing's
// polling adds hundreds of µs), the I/O thread, and the root supervisor that owns socket actors.
#include "actors/control.hpp"

#include "actors/describe.hpp"
#include "actors/messages.hpp"
#include "net/io_pool.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/log.hpp"

#include <map>
#include <mutex>
#include <optional>

namespace cafmq::actors {

namespace {

struct root_state {
  std::vector<caf::actor> sockets;
  ~root_state() {
    for (auto& s : sockets)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  }
};

// The root supervisor: spawns socket actors and watches them; a socket actor that dies is logged
// and forgotten (its user-side socket then reports socket_closed on control calls).
caf::behavior root_supervisor(caf::stateful_actor<root_state>* self, net::io_loop* loop) {
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& v = self->state.sockets;
    for (auto i = v.begin(); i != v.end(); ++i)
      if (*i == dm.source) {
        if (dm.reason && dm.reason != caf::exit_reason::user_shutdown)
          log::write(log::level::error, "supervisor", "socket actor failed: " + caf::to_string(dm.reason));
        v.erase(i);
        break;
      }
  });
  return {
    [=](spawn_atom, socket_args& args) -> caf::actor {
      auto s = spawn_socket(self, std::move(args), loop);
      self->state.sockets.push_back(s);
      return s;
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      return describe_with_children(self, supervision_node{}, self->state.sockets);
    },
  };
}

// CAF 0.17 parks a reference to the system's logger in a thread-local of every thread that
// creates the system or a scoped_actor, and ~actor_system waits until the logger is released.
// A user thread that keeps that reference would hang a context destroyed on another thread, so
// each control call hands it back before returning to the user.
void release_thread_logger() {
  caf::logger::set_current_actor_system(nullptr);
}

// Releases it on every way out of a scope, exceptions included.
struct thread_logger_release {
  ~thread_logger_release() { release_thread_logger(); }
};

caf::actor_system_config make_config() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", 1);  // control events only: one thread keeps them ordered
  return cfg;
}

} // namespace

struct control::impl {
  explicit impl(int io_threads) : pool(io_threads), cfg(make_config()), system(cfg) {
    root = system.spawn(root_supervisor, &pool.home());  // loops for connections: pick_for_connection
    release_thread_logger();
  }
  net::io_pool pool;  // declared first: outlives the actors that use it
  // User callbacks: authenticators and monitor callbacks, each on a thread of its own.
  user_executor_ptr auth_executor = std::make_shared<user_executor>("cafmq/auth", 4096);
  user_executor_ptr event_executor = std::make_shared<user_executor>("cafmq/events", 65536);
  caf::actor_system_config cfg;
  caf::actor_system system;
  caf::actor root;
  std::mutex mtx;
  struct open_socket_entry {
    caf::actor actor;
    pipe_hub_ptr hub;  // to wake a user thread blocked in send/recv at shutdown
    socket_type type;
  };
  std::map<uint64_t, open_socket_entry> sockets;
  uint64_t last_id = 0;

  caf::actor socket(uint64_t id) {
    std::lock_guard<std::mutex> guard{mtx};
    auto i = sockets.find(id);
    if (i == sockets.end())
      throw error{errc::socket_closed, "the socket is closed"};
    return i->second.actor;
  }

  // A blocking request from a user thread (never from an actor).
  template <class... Ts>
  control_reply ask(const caf::actor& dst, Ts&&... xs) {
    control_reply reply{static_cast<int>(errc::socket_closed), "the socket is closed"};
    thread_logger_release release;
    {
      caf::scoped_actor self{system};
      self->request(dst, std::chrono::seconds(30), std::forward<Ts>(xs)...)
        .receive([&](control_reply& r) { reply = std::move(r); },
                 [&](caf::error& e) { reply.text = "control request failed: " + system.render(e); });
    }
    return reply;
  }
};

control::control(int io_threads) : impl_(std::make_unique<impl>(io_threads)) {
}

net::io_pool& control::io_pool() noexcept {
  return impl_->pool;
}

const user_executor_ptr& control::event_executor() const noexcept {
  return impl_->event_executor;
}

control::~control() {
  shutdown();
}

void control::shutdown() {
  std::map<uint64_t, impl::open_socket_entry> open;
  caf::actor root;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (terminated_.exchange(true))
      return;
    open.swap(impl_->sockets);
    root.swap(impl_->root);  // open_socket reads it under the same lock
  }
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  root = nullptr;
  impl_->system.await_all_actors_done();
  impl_->pool.stop();
  for (auto& [id, entry] : open)
    entry.hub->user_waker()->wake();  // a blocked send/recv sees the context is gone
  drain_callbacks(*impl_->event_executor);  // no monitor callback runs after close returns
}

uint64_t control::open_socket(socket_args args) {
  const char* terminated_text = "cannot open a socket: the context is terminated";
  caf::actor root;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (terminated())
      throw error{errc::socket_closed, terminated_text};
    root = impl_->root;
  }
  auto hub = args.hub;
  auto type = args.type;
  args.auth_executor = impl_->auth_executor;
  args.event_executor = impl_->event_executor;
  caf::actor s;
  std::string failure;
  {
    thread_logger_release release;  // after the scoped actor is gone
    caf::scoped_actor self{impl_->system};
    // cppcheck-suppress accessMoved ; args is moved here, once; hub and type were copied before
    self->request(root, caf::infinite, spawn_atom::value, std::move(args))
      .receive([&](caf::actor& a) { s = std::move(a); },
               [&](caf::error& e) { failure = impl_->system.render(e); });
  }
  if (!s && terminated())  // the root exited under our request
    throw error{errc::socket_closed, terminated_text};
  if (!s)
    throw error{errc::internal, "cannot open socket: " + failure};
  std::lock_guard<std::mutex> guard{impl_->mtx};
  if (terminated())  // shut down while we spawned: the actor is gone already
    throw error{errc::socket_closed, terminated_text};
  impl_->sockets.emplace(++impl_->last_id, impl::open_socket_entry{s, std::move(hub), type});
  return impl_->last_id;
}

std::string control::bind(uint64_t socket, const std::string& endpoint) {
  auto r = impl_->ask(impl_->socket(socket), bind_atom::value, endpoint);
  if (r.code >= 0)
    throw error{static_cast<errc>(r.code), r.text};
  return r.text;
}

void control::connect(uint64_t socket, const std::string& endpoint,
                      const std::string& routing_id) {
  auto r = impl_->ask(impl_->socket(socket), connect_atom::value, endpoint, routing_id);
  if (r.code >= 0)
    throw error{static_cast<errc>(r.code), r.text};
}

namespace {

// Waits (from a user thread) for an actor's snapshot.
supervision_node ask_describe(caf::actor_system& system, const caf::actor& dst) {
  supervision_node result;
  result.state = node_state::unresponsive;
  thread_logger_release release;
  caf::scoped_actor self{system};
  self->request(dst, describe_timeout * 2, describe_atom::value)
    .receive([&](supervision_node& n) { result = std::move(n); }, [&](caf::error&) {});
  return result;
}

} // namespace

supervision_node control::describe(uint64_t socket) {
  auto s = impl_->socket(socket);
  auto n = ask_describe(impl_->system, s);
  if (n.state == node_state::unresponsive && terminated())
    throw error{errc::socket_closed, "the socket's context is terminated"};
  return n;
}

supervision_node control::supervision_tree() {
  caf::actor root;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    root = impl_->root;
  }
  if (!root)
    return {};  // terminated: an empty context
  return ask_describe(impl_->system, root);
}

std::vector<open_socket_info> control::open_sockets() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  std::vector<open_socket_info> out;
  for (auto& [id, entry] : impl_->sockets)
    out.push_back({id, entry.type, entry.hub});
  return out;
}

void control::close_socket(uint64_t socket) {
  caf::actor s;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    auto i = impl_->sockets.find(socket);
    if (i == impl_->sockets.end())
      return;
    s = std::move(i->second.actor);
    impl_->sockets.erase(i);
  }
  caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

} // namespace cafmq::actors
