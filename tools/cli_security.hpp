// The security flags that need more than an option value: --curve-allow and --plain-passwords
// become the server socket's authenticator (security/access_rules.hpp).
#pragma once

#include "cli_args.hpp"

namespace cafmq::cli {

/// Sets args.options.authenticator from --curve-allow / --plain-passwords, if given. Throws
/// cafmq::error if a key is malformed or the password file cannot be read.
void attach_authenticator(cli_args& args);

} // namespace cafmq::cli
