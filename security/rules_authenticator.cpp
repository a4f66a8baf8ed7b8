// Synchronous: a decision is a lookup plus, rarely, re-reading a changed file.
#include "security/rules_authenticator.hpp"

#include "runtime/core/error.hpp"

namespace cafmq::security {

rules_authenticator::rules_authenticator(std::shared_ptr<access_rules> rules)
  : rules_(std::move(rules)) {
  if (!rules_)
    throw error{errc::invalid_argument, "rules_authenticator needs access rules"};
}

void rules_authenticator::authenticate(const auth_request& request,
                                       std::function<void(const auth_reply&)> done) {
  auth_reply reply;
  try {
    reply = rules_->decide(request);
  } catch (const std::exception& e) {
    reply = auth_reply{500, std::string("authenticator failed: ") + e.what(), {}};
  }
  done(reply);  // outside the try: an exception from the caller's callback is the caller's
}

} // namespace cafmq::security
