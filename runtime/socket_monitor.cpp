// The monitoring face of cafmq::socket: event streams, callbacks (run on the context's event
// thread), messages_dropped events and the supervision snapshot. Events come from the socket's actors through its monitor_hub; only
// messages_dropped is emitted on the user thread (socket.cpp), where the pattern counts drops.
#include "runtime/socket.hpp"

#include "actors/control.hpp"

namespace cafmq {

event_stream socket::monitor(size_t capacity) {
  require_open();
  if (capacity == 0)
    throw error{errc::invalid_argument, "an event stream needs a capacity of at least 1 event"};
  return event_stream{monitor_, capacity};
}

uint64_t socket::add_event_callback(std::function<void(const monitor_event&)> fn) {
  require_open();
  if (!fn)
    throw error{errc::invalid_argument, "add_event_callback needs a callable"};
  return monitor_->add_callback(std::move(fn), control_->event_executor());
}

void socket::remove_event_callback(uint64_t id) {
  live("remove_event_callback");
  monitor_->remove_sink(id);
}

uint64_t socket::event_callback_dropped(uint64_t id) const {
  live("event_callback_dropped");
  return monitor_->dropped(id);
}

supervision_node socket::describe() const {
  require_open();
  return control_->describe(id_);
}

} // namespace cafmq
