// CURVE certificates in CZMQ's zcert format: ZPL text (RFC 4) with a `metadata` section and a
// `curve` section holding `public-key` (and in the secret file `secret-key`) in Z85. A
// certificate is saved as FILE (public, to hand out) and FILE_secret (mode 0600, never shared),
// each opening with the comment header CZMQ writes. Readable by CZMQ, pyzmq's zmq.auth and
// cafmq; cafmq reads theirs.
#pragma once

#include "security/curve_keys.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cafmq::security {

/// A certificate: a public key, the secret key when read from a secret file, and metadata.
struct zcert {
  curve_key public_key;
  std::optional<curve_key> secret_key;
  /// The `metadata` section in file order (names: ZPL name characters; values: one line).
  std::vector<std::pair<std::string, std::string>> metadata;
};

/// The text of the public file; `generated_on` fills the header ("2024-05-01 12:00:00").
/// Throws cafmq::error(invalid_argument) for metadata ZPL cannot carry.
std::string zcert_public_text(const zcert& cert, std::string_view generated_on);
/// The text of the secret file (needs `cert.secret_key`).
std::string zcert_secret_text(const zcert& cert, std::string_view generated_on);

/// Writes the public file `path` (mode 0644 less the umask).
void save_zcert_public(const zcert& cert, const std::string& path);
/// Writes the secret file `path`, created or narrowed to mode 0600 before the key is written.
void save_zcert_secret(const zcert& cert, const std::string& path);
/// Writes `path` and `path + "_secret"` (CZMQ's zcert_save). Throws cafmq::error on I/O errors.
void save_zcert(const zcert& cert, const std::string& path);

/// Parses certificate text; `source` names it in errors. Throws cafmq::error(invalid_argument)
/// saying where and what: bad indentation, unterminated quote, a missing or malformed key, a
/// secret key that does not belong to the public key.
zcert parse_zcert(std::string_view text, std::string_view source = "certificate");
/// Reads and parses a certificate file (at most 64 KiB). Throws cafmq::error.
zcert load_zcert(const std::string& path);

} // namespace cafmq::security
