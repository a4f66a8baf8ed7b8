// The authenticator actor: each message is one access_rules call, so the rules' own lock keeps
// the actor and any synchronous user of the same rules consistent. A rejected setting comes
// back to a requester as an error instead of killing the actor.
#include "actors/authenticator_actor.hpp"

#include "runtime/core/error.hpp"

#include <atomic>

namespace cafmq {

struct auth_callback::once {
  std::function<void(const auth_reply&)> fn;
  std::atomic<bool> called{false};

  explicit once(std::function<void(const auth_reply&)> f) : fn(std::move(f)) {}
  void call(const auth_reply& r) {
    if (!called.exchange(true) && fn)
      fn(r);
  }
  ~once() {
    try {
      call({500, "the authenticator actor is gone", {}});  // dropped unanswered
    } catch (...) {
      // A throwing callback must not take a destructor (and the process) down with it.
    }
  }
};

auth_callback::auth_callback(std::function<void(const auth_reply&)> fn)
  : state_(std::make_shared<once>(std::move(fn))) {}

void auth_callback::operator()(const auth_reply& reply) const {
  if (state_)
    state_->call(reply);
}

namespace {

using rules_ptr = std::shared_ptr<security::access_rules>;

/// Runs a setter; a cafmq::error becomes the requester's error.
template <class F>
caf::result<void> apply(F&& setter) {
  try {
    setter();
  } catch (const error& e) {
    return caf::make_error(caf::sec::invalid_argument, std::string(e.what()));
  }
  return {};
}

/// The verdict, with anything thrown turned into an internal error (500).
auth_reply decide(security::access_rules& rules, const auth_request& req) {
  try {
    return rules.decide(req);
  } catch (const std::exception& e) {
    return {500, std::string("authenticator failed: ") + e.what(), {}};
  }
}

authenticator_actor::behavior_type authenticator_behavior(authenticator_actor::pointer,
                                                          rules_ptr rules) {
  return {
    [rules](allow_address_atom, const std::string& a) -> caf::result<void> {
      return apply([&] { rules->allow_address(a); });
    },
    [rules](deny_address_atom, const std::string& a) -> caf::result<void> {
      return apply([&] { rules->deny_address(a); });
    },
    [rules](password_file_atom, const std::string& path) -> caf::result<void> {
      return apply([&] { rules->set_password_file(path); });
    },
    [rules](allow_key_atom, const std::string& z85) -> caf::result<void> {
      return apply([&] { rules->allow_curve_key(z85); });
    },
    [rules](allow_any_key_atom, bool allow) -> caf::result<void> {
      return apply([&] { rules->allow_any_curve_key(allow); });
    },
    [rules](cert_dir_atom, const std::string& path) -> caf::result<void> {
      return apply([&] { rules->set_certificate_directory(path); });
    },
    [rules](authenticate_atom, const auth_request& req) { return decide(*rules, req); },
    [rules](authenticate_atom, const auth_request& req, const auth_callback& done) {
      done(decide(*rules, req));
    },
  };
}

} // namespace

authenticator_actor spawn_authenticator(caf::actor_system& sys,
                                        std::shared_ptr<security::access_rules> rules) {
  if (!rules)
    rules = std::make_shared<security::access_rules>();
  return sys.spawn(authenticator_behavior, std::move(rules));
}

actor_authenticator::actor_authenticator(authenticator_actor target) : target_(std::move(target)) {
  if (!target_)
    throw error{errc::invalid_argument, "actor_authenticator needs a live authenticator actor"};
}

void actor_authenticator::authenticate(const auth_request& request,
                                       std::function<void(const auth_reply&)> done) {
  // To a terminated actor the message is dropped, and the callback's last copy answers 500.
  caf::anon_send(target_, authenticate_atom::value, request, auth_callback{std::move(done)});
}

} // namespace cafmq
