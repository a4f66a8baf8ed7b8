// The version compiled into the library (runtime/version.hpp).
#include "runtime/version.hpp"

namespace cafmq {

version_info version() noexcept {
  return {CAFMQ_VERSION_MAJOR, CAFMQ_VERSION_MINOR, CAFMQ_VERSION_PATCH, CAFMQ_VERSION};
}

} // namespace cafmq
