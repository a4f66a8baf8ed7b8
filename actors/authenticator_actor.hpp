// The CAF face of authentication: a typed authenticator actor holding access_rules, configured
// and asked through messages, plus an `authenticator` (the interface ZMTP engines call) that
// forwards each request to such an actor without ever blocking the caller. Opt-in like
// runtime/actor_api.hpp: include this header (it includes CAF 0.17) and link CAF::core.
//
//   caf::actor_system sys{cfg};
//   auto auth = cafmq::spawn_authenticator(sys);
//   caf::anon_send(auth, cafmq::allow_key_atom::value, std::string{"Yne@$w-vo<fVvi]a<NY6T..."});
//   options.authenticator = std::make_shared<cafmq::actor_authenticator>(auth);
//   ...
//   caf::anon_send_exit(auth, caf::exit_reason::user_shutdown);  // before ~actor_system
#pragma once

#include "runtime/core/authenticator.hpp"
#include "security/access_rules.hpp"

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <string>

namespace cafmq {

// Field lists of the ZAP structs, so they travel in messages and print with deep_to_string.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, auth_request& x) {
  return f(caf::meta::type_name("cafmq::auth_request"), x.domain, x.address, x.routing_id,
           x.mechanism, x.credentials);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, auth_reply& x) {
  return f(caf::meta::type_name("cafmq::auth_reply"), x.status_code, x.status_text, x.user_id);
}

using allow_address_atom = caf::atom_constant<caf::atom("allowaddr")>;
using deny_address_atom = caf::atom_constant<caf::atom("denyaddr")>;
using password_file_atom = caf::atom_constant<caf::atom("passwdfile")>;
using allow_key_atom = caf::atom_constant<caf::atom("allowkey")>;
using allow_any_key_atom = caf::atom_constant<caf::atom("allowany")>;
using cert_dir_atom = caf::atom_constant<caf::atom("certdir")>;
using authenticate_atom = caf::atom_constant<caf::atom("authreq")>;

/// A function the actor calls with its verdict, for callers that are not actors. Called exactly
/// once: with the verdict, or, if the message is dropped unanswered (the actor has terminated),
/// with a 500 reply when the last copy goes. Copies share the one call.
class auth_callback {
public:
  auth_callback() = default;
  explicit auth_callback(std::function<void(const auth_reply&)> fn);
  /// Calls the function unless it has been called already.
  void operator()(const auth_reply& reply) const;

private:
  struct once;
  std::shared_ptr<once> state_;
};

} // namespace cafmq

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::auth_callback)  // a local callback, never serialized

namespace cafmq {

/// The messages an authenticator actor understands. Each setter replies with an error
/// (sec::invalid_argument, the reason as context) when its argument is rejected.
using authenticator_actor = caf::typed_actor<
  caf::reacts_to<allow_address_atom, std::string>,  ///< access_rules::allow_address
  caf::reacts_to<deny_address_atom, std::string>,   ///< access_rules::deny_address
  caf::reacts_to<password_file_atom, std::string>,  ///< access_rules::set_password_file
  caf::reacts_to<allow_key_atom, std::string>,      ///< access_rules::allow_curve_key (Z85)
  caf::reacts_to<allow_any_key_atom, bool>,         ///< access_rules::allow_any_curve_key
  caf::reacts_to<cert_dir_atom, std::string>,       ///< access_rules::set_certificate_directory
  caf::replies_to<authenticate_atom, auth_request>::with<auth_reply>,
  caf::reacts_to<authenticate_atom, auth_request, auth_callback>>;

/// Spawns an authenticator actor deciding with `rules` (new, empty rules if null; pass your own
/// to share them or to set their reload interval). It runs until told to exit.
authenticator_actor spawn_authenticator(caf::actor_system& sys,
                                        std::shared_ptr<security::access_rules> rules = nullptr);

/// An authenticator for sockets that asks an authenticator actor: authenticate() only enqueues a
/// message (never blocks); the actor calls `done` on its own thread. If the actor is gone,
/// `done` gets 500 at once. Holds the actor handle (a strong reference): stop the actor
/// explicitly before its actor system goes.
class actor_authenticator : public authenticator {
public:
  /// Throws cafmq::error(invalid_argument) for an invalid handle.
  explicit actor_authenticator(authenticator_actor target);

  void authenticate(const auth_request& request,
                    std::function<void(const auth_reply&)> done) override;

private:
  authenticator_actor target_;
};

} // namespace cafmq
