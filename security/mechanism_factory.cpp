#include "security/mechanism_factory.hpp"

#include "runtime/core/error.hpp"
#include "security/curve_mechanism.hpp"
#include "security/null_mechanism.hpp"
#include "security/plain_mechanism.hpp"

#include <algorithm>

namespace cafmq::security {

curve_key parse_key_option(std::string_view option, const std::string& value) {
  if (value.size() == curve_key::size) {
    std::array<uint8_t, curve_key::size> raw{};
    std::copy(value.begin(), value.end(), raw.begin());
    return curve_key{raw};
  }
  if (value.size() != 40)
    throw error{errc::invalid_argument,
                "option " + std::string(option) + " must be 40 Z85 characters or 32 bytes, not "
                  + std::to_string(value.size()) + " bytes (cafmq keygen makes a key pair)"};
  try {
    return curve_key::from_z85(value);
  } catch (const error& e) {
    throw error{errc::invalid_argument, "option " + std::string(option) + ": " + e.what()};
  }
}

namespace {

// Our CURVE key pair: the secret key's, with the public key derived (or checked if given).
curve_keypair our_keypair(const socket_options& o) {
  curve_keypair pair;
  pair.secret_key = parse_key_option("curve_secretkey", o.curve_secretkey);
  auto derived = public_key_of(pair.secret_key);
  if (!o.curve_publickey.empty()) {
    pair.public_key = parse_key_option("curve_publickey", o.curve_publickey);
    if (!(pair.public_key == derived))
      throw error{errc::invalid_argument,
                  "option curve_publickey does not belong to curve_secretkey (its public key is "
                    + derived.z85() + ")"};
  } else {
    pair.public_key = derived;
  }
  return pair;
}

bool is_curve(const socket_options& o) noexcept {
  return o.curve_server || !o.curve_serverkey.empty();
}

bool is_plain(const socket_options& o) noexcept {
  return o.plain_server || !o.plain_username.empty();
}

} // namespace

void validate_security_options(const socket_options& o) {
  if (!o.curve_serverkey.empty())
    parse_key_option("curve_serverkey", o.curve_serverkey);
  if (!o.curve_secretkey.empty())
    our_keypair(o);
  else if (!o.curve_publickey.empty())
    throw error{errc::invalid_argument,
                "option curve_publickey is set without curve_secretkey: set both, or neither "
                "(a client then uses a fresh key pair)"};
}

bool asks_authenticator(const socket_options& o) noexcept {
  return o.plain_server || o.curve_server || (!o.secured() && !o.zap_domain.empty());
}

std::string_view mechanism_name(const socket_options& o) noexcept {
  return is_curve(o) ? "CURVE" : is_plain(o) ? "PLAIN" : "NULL";
}

mechanism_ptr make_mechanism(const socket_options& o, metadata ours, peer_validator validate) {
  if (o.curve_server)
    return std::make_unique<curve_server>(our_keypair(o), o.zap_domain, std::move(ours),
                                          std::move(validate));
  if (!o.curve_serverkey.empty()) {
    auto pair = o.curve_secretkey.empty() ? generate_keypair() : our_keypair(o);
    return std::make_unique<curve_client>(parse_key_option("curve_serverkey", o.curve_serverkey),
                                          pair, std::move(ours), std::move(validate));
  }
  if (o.plain_server)
    return std::make_unique<plain_server>(o.zap_domain, std::move(ours), std::move(validate));
  if (!o.plain_username.empty())
    return std::make_unique<plain_client>(o.plain_username, o.plain_password, std::move(ours),
                                          std::move(validate));
  return std::make_unique<null_mechanism>(std::move(ours), std::move(validate), o.zap_domain);
}

} // namespace cafmq::security
