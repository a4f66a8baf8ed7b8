// The composition of the control plane: CAF actor system (sharing scheduler: work-stealing's
// polling adds hundreds of µs), the I/O thread, and the root supervisor that owns socket actors.
#include "actors/control.hpp"

#include "actors/describe.hpp"
#include "actors/inproc_registry.hpp"
#include "actors/messages.hpp"
#include "net/io_pool.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/log.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

namespace cafmq::actors {

namespace {

// A socket actor as the root supervisor knows it.
struct socket_child {
  socket_actor actor;
  std::shared_ptr<supervision_record> record;  // where its death is recorded for the user
  pipe_hub_ptr hub;                            // to wake a user thread blocked on it
  socket_type type;
};

constexpr size_t kept_failures = 16;  // failed sockets describe() still shows

struct root_state {
  std::vector<socket_child> sockets;
  uint32_t failures = 0;
  std::string last_failure;
  std::vector<supervision_node> failed;  // the latest kept_failures failed sockets
  ~root_state() {
    for (auto& s : sockets)
      caf::anon_send_exit(s.actor, caf::exit_reason::user_shutdown);
  }
};

using root_self = root_actor::stateful_pointer<root_state>;

// A socket actor is gone. One that died abnormally is recorded where its socket's calls look,
// so they fail with the reason; its blocked user thread is woken.
void on_socket_down(root_self self, const caf::down_msg& dm) {
  auto& v = self->state.sockets;
  auto i = std::find_if(v.begin(), v.end(), [&](const socket_child& s) { return s.actor.address() == dm.source; });
  if (i == v.end())
    return;
  auto child = std::move(*i);
  v.erase(i);
  if (!abnormal(dm.reason))
    return;
  auto text = "the socket's actor failed: " + failure_text(dm.reason);
  log::write(log::level::error, "supervisor", std::string(zmtp_name(child.type)) + " socket: " + text
                                                + " (not restarted; its calls now fail)");
  {
    std::lock_guard<std::mutex> guard{child.record->mtx};
    if (child.record->socket_failure.empty()) {  // killed: nobody recorded it yet
      child.record->socket_failure = text;
      child.record->last_failure = text;
    }
  }
  child.record->failed.store(true, std::memory_order_release);
  child.hub->user_waker()->wake();
  auto& st = self->state;
  ++st.failures;
  st.last_failure = text;
  supervision_node n;
  n.role = node_role::socket;
  n.state = node_state::failed;
  n.endpoint = std::string(zmtp_name(child.type));
  n.last_failure = text;
  if (st.failed.size() == kept_failures)
    st.failed.erase(st.failed.begin());
  st.failed.push_back(std::move(n));
}

// The root supervisor (docs/reliability.md). Strategy: spawns socket actors and monitors them;
// it never restarts one (a socket actor's state, its pipes, routing and the user's socket
// object, cannot be rebuilt behind the user's back). A socket actor that dies abnormally is
// logged as an error, recorded (describe() shows a failed node, the context node counts it)
// and marked failed, so its socket's calls throw errc::internal naming the reason; every other
// socket carries on.
root_actor::behavior_type root_supervisor(root_self self, net::io_loop* loop) {
  self->set_down_handler([=](caf::down_msg& dm) { on_socket_down(self, dm); });
  return {
    [=](spawn_atom, socket_args& args) -> socket_actor {
      socket_child child{{}, args.supervision, args.hub, args.type};
      child.actor = spawn_socket(self, std::move(args), loop);
      self->state.sockets.push_back(child);
      return child.actor;
    },
    [=](describe_atom) -> caf::result<supervision_node> {
      auto& st = self->state;
      supervision_node n;
      n.restarts = st.failures;
      n.last_failure = st.last_failure;
      n.children = st.failed;
      std::vector<socket_actor> live;
      for (auto& s : st.sockets)
        if (!s.record->failed.load(std::memory_order_acquire))  // dying: shown once it is down
          live.push_back(s.actor);
      return describe_with_children(self, std::move(n), live);
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

// Throws errc::internal naming why, if the socket's actor died.
void throw_if_failed(const supervision_record& record) {
  if (record.failed.load(std::memory_order_acquire))
    throw error{errc::internal, record.socket_failed()};
}

} // namespace

struct control::impl {
  // Owns its actor system.
  explicit impl(int io_threads)
    : pool(io_threads), owned_cfg(make_config()), owned(std::in_place, *owned_cfg), system(*owned) {
    start();
  }
  // Runs on the user's.
  impl(caf::actor_system& user_system, int io_threads) : pool(io_threads), system(user_system) {
    start();
  }

  void start() {
    // Listeners live on the home loop; connections pick theirs (pick_for_connection).
    root = counted(census, system.spawn(root_supervisor, &pool.home()));
    release_thread_logger();
  }

  net::io_pool pool;  // declared first: outlives the actors that use it
  // User callbacks: authenticators and monitor callbacks, each on a thread of its own. At the
  // end, pending authentications are dropped (their engines are gone) and the last monitor
  // events are delivered; either way a callback that never returns is waited for at most
  // user_executor::default_stop_bound (see user_executor).
  user_executor_ptr auth_executor =
    std::make_shared<user_executor>("cafmq/auth", 4096, user_executor::pending_tasks::drop);
  user_executor_ptr event_executor =
    std::make_shared<user_executor>("cafmq/events", 65536, user_executor::pending_tasks::run);
  std::shared_ptr<actor_census> census = std::make_shared<actor_census>();
  std::optional<caf::actor_system_config> owned_cfg;
  std::optional<caf::actor_system> owned;  // empty on a user's system
  caf::actor_system& system;
  root_actor root;
  std::mutex mtx;
  struct open_socket_entry {
    socket_actor actor;
    pipe_hub_ptr hub;  // to wake a user thread blocked in send/recv at shutdown
    socket_type type;
    std::shared_ptr<supervision_record> record;
    std::shared_ptr<inproc_socket> inproc;  // what an inproc bind or connect uses (options)
  };
  std::map<uint64_t, open_socket_entry> sockets;
  // inproc:// binds and connects, handled here on the user's thread: no actor, no I/O thread.
  inproc_registry inproc;
  uint64_t last_id = 0;

  open_socket_entry socket(uint64_t id) {
    std::lock_guard<std::mutex> guard{mtx};
    auto i = sockets.find(id);
    if (i == sockets.end())
      throw error{errc::socket_closed, "the socket is closed"};
    throw_if_failed(*i->second.record);
    return i->second;
  }

  // A copy of what an inproc bind or connect of socket `id` uses (its options as they are now).
  inproc_socket inproc_socket_of(uint64_t id) {
    auto entry = socket(id);  // throws for a closed socket
    std::lock_guard<std::mutex> guard{mtx};
    return *entry.inproc;
  }

  // Waits for this control's actors to end: all of the system's when it owns it (no timeout:
  // ~actor_system would wait for them anyway), else its own, at most 30 s. False if some of its
  // actors still run on the user's system then (its scheduler is stuck or starved).
  bool await_actors() {
    if (owned) {
      system.await_all_actors_done();
      return true;
    }
    return census->wait_empty(std::chrono::seconds(30));
  }

  // A blocking request from a user thread (never from an actor).
  template <class... Ts>
  control_reply ask(const open_socket_entry& dst, Ts&&... xs) {
    control_reply reply{static_cast<int>(errc::socket_closed), "the socket is closed"};
    thread_logger_release release;
    {
      caf::scoped_actor self{system};
      self->request(dst.actor, std::chrono::seconds(30), std::forward<Ts>(xs)...)
        .receive([&](control_reply& r) { reply = std::move(r); },
                 [&](caf::error& e) {
                   reply = {static_cast<int>(errc::internal),
                            "the socket's actor did not answer: " + system.render(e)};
                 });
    }
    throw_if_failed(*dst.record);  // the actor died under the request
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

control::control(caf::actor_system& system, int io_threads)
  : impl_(std::make_unique<impl>(system, io_threads)) {
}

control::~control() {
  shutdown();
  if (leaked_)
    static_cast<void>(impl_.release());  // see shutdown()
}

void control::shutdown() {
  std::map<uint64_t, impl::open_socket_entry> open;
  root_actor root;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (terminated_.exchange(true))
      return;
    open.swap(impl_->sockets);
    std::swap(root, impl_->root);  // open_socket reads it under the same lock
  }
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  root = root_actor{};
  if (!impl_->await_actors()) {
    // Actors still running on the user's system hold pointers into impl (the I/O loop, the
    // executors): freeing it could crash them later. It is kept, deliberately leaked.
    leaked_ = true;
    log::write(log::level::error, "control",
               "actors of the context still run on the user's actor system 30 s after shutdown (is "
               "its scheduler blocked, e.g. by a cafmq call from one of its actors?); the context's "
               "control state is leaked so that they can never touch freed memory");
  }
  impl_->inproc.clear();
  impl_->pool.stop();
  for (auto& [id, entry] : open)
    entry.hub->user_waker()->wake();  // a blocked send/recv sees the context is gone
  drain_callbacks(*impl_->event_executor);  // no monitor callback runs after close returns
  authenticator_ptr zap;  // its socket keeps this control alive: released outside the lock
  {
    std::lock_guard<std::mutex> guard{inproc_zap_mtx_};
    zap = std::move(inproc_zap_);
  }
}

authenticator_ptr control::inproc_zap(const std::function<authenticator_ptr()>& make) {
  std::lock_guard<std::mutex> guard{inproc_zap_mtx_};
  if (terminated())
    return nullptr;
  if (!inproc_zap_)
    inproc_zap_ = make();
  return inproc_zap_;
}

uint64_t control::open_socket(socket_args args) {
  const char* terminated_text = "cannot open a socket: the context is terminated";
  root_actor root;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (terminated())
      throw error{errc::socket_closed, terminated_text};
    root = impl_->root;
  }
  auto hub = args.hub;
  auto type = args.type;
  auto record = args.supervision;
  auto inproc = std::make_shared<inproc_socket>();
  inproc->type = args.type;
  inproc->options = args.options;
  inproc->hub = args.hub;
  inproc->monitor = args.monitor;
  args.auth_executor = impl_->auth_executor;
  args.event_executor = impl_->event_executor;
  args.census = impl_->census;
  socket_actor s;
  std::string failure;
  {
    thread_logger_release release;  // after the scoped actor is gone
    caf::scoped_actor self{impl_->system};
    // cppcheck-suppress accessMoved ; args is moved here, once; hub and type were copied before
    self->request(root, caf::infinite, spawn_atom::value, std::move(args))
      .receive([&](socket_actor& a) { s = std::move(a); },
               [&](caf::error& e) { failure = impl_->system.render(e); });
  }
  if (!s && terminated())  // the root exited under our request
    throw error{errc::socket_closed, terminated_text};
  if (!s)
    throw error{errc::internal, "cannot open socket: " + failure};
  std::lock_guard<std::mutex> guard{impl_->mtx};
  if (terminated())  // shut down while we spawned: the actor is gone already
    throw error{errc::socket_closed, terminated_text};
  inproc->id = ++impl_->last_id;
  impl_->sockets.emplace(impl_->last_id, impl::open_socket_entry{s, std::move(hub), type, std::move(record),
                                                                 std::move(inproc)});
  return impl_->last_id;
}

// Throws the error `r` carries (socket_closed if the context ended under the request).
void control::throw_if_error(const control_reply& r) const {
  if (r.code >= 0 && terminated())
    throw error{errc::socket_closed, "the socket's context is terminated"};
  if (r.code >= 0)
    throw error{static_cast<errc>(r.code), r.text};
}

std::string control::bind(uint64_t socket, const std::string& endpoint) {
  if (is_inproc(endpoint))
    return impl_->inproc.bind(impl_->inproc_socket_of(socket), endpoint);
  auto r = impl_->ask(impl_->socket(socket), bind_atom::value, endpoint);
  throw_if_error(r);
  return r.text;
}

void control::connect(uint64_t socket, const std::string& endpoint,
                      const std::string& routing_id) {
  if (is_inproc(endpoint))
    return impl_->inproc.connect(impl_->inproc_socket_of(socket), endpoint, routing_id);
  auto r = impl_->ask(impl_->socket(socket), connect_atom::value, endpoint, routing_id);
  throw_if_error(r);
}

void control::unbind(uint64_t socket, const std::string& endpoint) {
  if (is_inproc(endpoint))
    return impl_->inproc.unbind(impl_->socket(socket).inproc->id, endpoint);
  throw_if_error(impl_->ask(impl_->socket(socket), unbind_atom::value, endpoint));
}

void control::disconnect(uint64_t socket, const std::string& endpoint) {
  if (is_inproc(endpoint))
    return impl_->inproc.disconnect(impl_->socket(socket).inproc->id, endpoint);
  throw_if_error(impl_->ask(impl_->socket(socket), disconnect_atom::value, endpoint));
}

void control::set_options(uint64_t socket, const socket_options& options) {
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (auto i = impl_->sockets.find(socket); i != impl_->sockets.end())
      i->second.inproc->options = options;
  }
  throw_if_error(impl_->ask(impl_->socket(socket), options_atom::value, options));
}

namespace {

// Waits (from a user thread) for an actor's snapshot.
template <class Handle>
supervision_node ask_describe(caf::actor_system& system, const Handle& dst) {
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
  auto n = ask_describe(impl_->system, s.actor);
  throw_if_failed(*s.record);
  for (auto& child : impl_->inproc.describe(socket))
    n.children.push_back(std::move(child));
  if (n.state == node_state::unresponsive && terminated())
    throw error{errc::socket_closed, "the socket's context is terminated"};
  return n;
}

supervision_node control::supervision_tree() {
  root_actor root;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    root = impl_->root;
  }
  if (!root)
    return {};  // terminated: an empty context
  return ask_describe(impl_->system, root);
}

bool control::inproc_bound(const std::string& name) const {
  return impl_->inproc.bound(name);
}

std::vector<open_socket_info> control::open_sockets() const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  std::vector<open_socket_info> out;
  for (auto& [id, entry] : impl_->sockets)
    out.push_back({id, entry.type, entry.hub});
  return out;
}

void control::close_socket(uint64_t socket) {
  socket_actor s;
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    auto i = impl_->sockets.find(socket);
    if (i == impl_->sockets.end())
      return;
    s = std::move(i->second.actor);
    impl_->sockets.erase(i);
  }
  impl_->inproc.close_socket(socket);
  caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

} // namespace cafmq::actors
