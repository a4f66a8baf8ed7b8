#include "security/socket_authenticator.hpp"

#include "runtime/core/log.hpp"
#include "runtime/core/log_limit.hpp"
#include "security/curve_keys.hpp"

#include <algorithm>

namespace cafmq::security {

namespace {

class socket_authenticator final : public authenticator {
public:
  socket_authenticator(const socket_options& o, std::shared_ptr<authenticator_slot> slot,
                       zap_handler_lookup zap_handler)
    : own_(o.authenticator), slot_(std::move(slot)), zap_handler_(std::move(zap_handler)),
      rules_(o.authorization), enforce_domain_(o.zap_enforce_domain) {}

  void authenticate(const auth_request& request,
                    std::function<void(const auth_reply&)> done) override {
    auto judge = own_ ? own_ : slot_ ? slot_->get() : nullptr;
    if (!judge && zap_handler_)
      judge = zap_handler_();
    auto check = [rules = rules_, request, done = std::move(done)](const auth_reply& reply) {
      if (reply.status_code != 200 || !rules)
        return done(reply);
      auto identity = authenticated_identity(request, reply);
      if (rules->may_connect(identity))
        return done(reply);
      done({400, "identity " + identity + " is not authorized on this socket", {}});
    };
    if (judge)
      return judge->authenticate(request, std::move(check));
    check(default_reply(request));
  }

private:
  auth_reply default_reply(const auth_request& request) const {
    if (request.mechanism == "CURVE" && !enforce_domain_)
      return {200, "OK (no authenticator: any client key is allowed)", {}};
    if (request.mechanism == "NULL" && !enforce_domain_)  // libzmq: no ZAP handler, no check
      return {200, "OK (no authenticator: NULL peers are not checked)", {}};
    log::write_limited(log::level::warn, "security",
                       request.mechanism + " clients refused: no authenticator",
                       request.mechanism + " client from " + request.address
                         + " refused: the socket has no authenticator (see docs/security.md)");
    return {500, "no authenticator configured", {}};
  }

  authenticator_ptr own_;
  std::shared_ptr<authenticator_slot> slot_;
  zap_handler_lookup zap_handler_;
  std::shared_ptr<const authorization> rules_;
  bool enforce_domain_;
};

} // namespace

authenticator_ptr make_socket_authenticator(const socket_options& options,
                                            std::shared_ptr<authenticator_slot> context_slot,
                                            zap_handler_lookup zap_handler) {
  return std::make_shared<socket_authenticator>(options, std::move(context_slot),
                                                std::move(zap_handler));
}

std::string authenticated_identity(const auth_request& request, const auth_reply& reply) {
  if (!reply.user_id.empty() || request.mechanism != "CURVE" || request.credentials.empty()
      || request.credentials[0].size() != curve_key::size)
    return reply.user_id;
  std::array<uint8_t, curve_key::size> raw{};
  std::copy(request.credentials[0].begin(), request.credentials[0].end(), raw.begin());
  return curve_key{raw}.z85();
}

} // namespace cafmq::security
