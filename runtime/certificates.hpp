// CURVE certificates for users of <cafmq/cafmq.hpp>: key pairs, certificate files in CZMQ's
// zcert format (readable by CZMQ, pyzmq's zmq.auth and `cafmq keygen --cert`), and an
// authenticator that admits the CURVE clients whose public certificates are in a directory
// (CZMQ's certificate store with zauth's CURVE rules). Keys are Z85 text, 40 characters, as
// socket_options takes them. docs/security-keys-and-zap.md has the file format and the rules.
#pragma once

#include "core/authenticator.hpp"

#include <string>

namespace cafmq {

/// A CURVE key pair in Z85. `secret_key` is empty for a certificate read from a public file.
struct curve_certificate {
  std::string public_key;
  std::string secret_key;
};

/// A fresh random key pair (libsodium).
curve_certificate new_curve_certificate();

/// Writes the public file `path` and, if `cert` has a secret key, the secret file
/// `path + "_secret"` (mode 0600 before a key byte is written). Throws cafmq::error
/// (invalid_argument) for a malformed key or a secret key that does not belong to the public
/// key, and for I/O errors, naming the file.
void save_certificate(const curve_certificate& cert, const std::string& path);

/// Reads a public or secret certificate file. Throws cafmq::error(invalid_argument) with
/// `file:line: what` for a file that cannot be read or parsed.
curve_certificate load_certificate(const std::string& path);

/// An authenticator for a CURVE server (socket_options::authenticator or
/// context::set_authenticator): a client is allowed if its public key is in one of the public
/// certificates in `directory`; every other client gets ERROR "400" (its monitor reports
/// handshake_failed with reason auth). Files whose names start with '.' or end in "_secret"
/// are ignored, files that do not parse are skipped; the directory is read again, at most once
/// a second, when a file is added, removed or changed. Throws cafmq::error(invalid_argument)
/// if `directory` is not a readable directory now.
authenticator_ptr certificate_store_authenticator(const std::string& directory);

} // namespace cafmq
