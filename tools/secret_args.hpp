// Secrets given without putting them on the command line (where `ps` shows them): read from a
// file or an environment variable, or a CURVE key from a zcert certificate file.
#pragma once

#include <string>
#include <string_view>

namespace cafmq::cli {

/// The content of `path` without one trailing newline ("\n" or "\r\n"). `option` names the flag
/// in errors. Throws cafmq::error if the file cannot be read.
std::string secret_from_file(std::string_view option, const std::string& path);
/// The value of environment variable `name`. Throws usage_error if it is not set.
std::string secret_from_env(std::string_view option, const std::string& name);

/// The key pair of a zcert secret file (as `cafmq keygen --cert` and CZMQ write FILE_secret).
struct cert_keys {
  std::string public_z85;
  std::string secret_z85;
};
/// Loads `path`, which must hold a secret key. Throws cafmq::error naming `option`.
cert_keys secret_cert(std::string_view option, const std::string& path);
/// The public key (Z85) of a zcert file, public or secret. Throws cafmq::error naming `option`.
std::string public_cert(std::string_view option, const std::string& path);

} // namespace cafmq::cli
