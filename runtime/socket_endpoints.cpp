// socket::unbind, socket::disconnect (control calls to the socket's actor) and socket::set, the
// options libzmq lets a program change on a live socket.
#include "runtime/socket.hpp"

#include "actors/control.hpp"
#include "runtime/socket_state.hpp"

namespace cafmq {

void socket::unbind(const std::string& endpoint) {
  thread_check::scope one{live("unbind").one_thread, "unbind"};
  require_open();
  control_->unbind(id_, endpoint);
}

void socket::disconnect(const std::string& endpoint) {
  thread_check::scope one{live("disconnect").one_thread, "disconnect"};
  require_open();
  control_->disconnect(id_, endpoint);  // detaches the pipe: the pattern stops routing to it
}

void socket::set_option(const char* name, option_scope scope,
                        const std::function<void(socket_options&)>& change) {
  thread_check::scope one{live("set").one_thread, "set"};
  require_open();
  if (scope == option_scope::creation_only)
    throw error{errc::wrong_state, std::string("option ") + name + " cannot change on an open socket: "
                                     "set it in the socket_options the socket is created with"};
  socket_options changed = options_;
  change(changed);
  changed.validate();
  if (scope == option_scope::later_endpoints)
    control_->set_options(id_, changed);  // the socket actor's copy, for later binds and connects
  options_ = std::move(changed);
  state_->hub->linger_ms.store(options_.linger_ms, std::memory_order_relaxed);
  state_->pattern->apply_live_options(options_);
}

} // namespace cafmq
