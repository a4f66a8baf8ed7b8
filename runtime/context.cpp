// The context is a thin owner of the control plane.
#include "runtime/context.hpp"

#include "actors/control.hpp"

namespace cafmq {

context::context() : control_(std::make_unique<actors::control>()) {
}

context::~context() = default;

} // namespace cafmq
