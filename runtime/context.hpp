// cafmq::context: owns the actor system (control plane) and the I/O thread (data plane). Create
// one per process, before its sockets; destroy it after them.
#pragma once

#include <memory>

namespace cafmq {

namespace actors {
class control;
}

/// The runtime every socket lives in.
class context {
public:
  context();
  /// Stops every actor and the I/O thread; never hangs. Sockets must be closed first.
  ~context();
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  /// Internal: the control plane.
  actors::control& control() noexcept { return *control_; }

private:
  std::unique_ptr<actors::control> control_;
};

} // namespace cafmq
