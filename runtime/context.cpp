// The context is a thin owner of the control plane.
#include "runtime/context.hpp"

#include "actors/control.hpp"

namespace cafmq {

context::context() : control_(std::make_shared<actors::control>()) {
}

context::~context() {
  control_->shutdown();  // sockets may keep the (stopped) control plane alive a little longer
  // The authenticator may own sockets of this context (a zap_client): let it go now, or the
  // control plane it keeps alive would keep it alive in turn.
  control_->authenticators()->set(nullptr);
}

void context::set_authenticator(authenticator_ptr a) {
  control_->authenticators()->set(std::move(a));
}

supervision_node context::supervision_tree() const {
  return control_->supervision_tree();
}

} // namespace cafmq
