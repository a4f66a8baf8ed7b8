#include "cli_security.hpp"

#include "security/access_rules.hpp"
#include "security/rules_authenticator.hpp"

namespace cafmq::cli {

void attach_authenticator(cli_args& args) {
  if (args.curve_allow.empty() && args.plain_passwords.empty())
    return;  // a CURVE server without --curve-allow allows any client key
  auto rules = std::make_shared<security::access_rules>();
  for (auto& key : args.curve_allow)
    rules->allow_curve_key(key);
  if (!args.plain_passwords.empty())
    rules->set_password_file(args.plain_passwords);
  args.options.authenticator = std::make_shared<security::rules_authenticator>(std::move(rules));
}

} // namespace cafmq::cli
