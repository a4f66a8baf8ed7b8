// An authenticator answering from access_rules at once, on the caller's thread: the simplest
// ZAP handler, for servers in the same process that need no actor.
#pragma once

#include "runtime/core/authenticator.hpp"
#include "security/access_rules.hpp"

#include <memory>

namespace cafmq::security {

class rules_authenticator : public authenticator {
public:
  /// Decides with `rules` (shared: the owner may keep changing them).
  explicit rules_authenticator(std::shared_ptr<access_rules> rules);

  /// Calls `done` before returning with rules->decide(request); 500 if deciding threw.
  void authenticate(const auth_request& request,
                    std::function<void(const auth_reply&)> done) override;

  access_rules& rules() noexcept { return *rules_; }

private:
  std::shared_ptr<access_rules> rules_;
};

} // namespace cafmq::security
