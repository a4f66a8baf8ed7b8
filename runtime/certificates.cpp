// The public face of security/zcert.hpp, security/curve_keys.hpp and security/access_rules.hpp.
#include "runtime/certificates.hpp"

#include "runtime/core/error.hpp"
#include "security/access_rules.hpp"
#include "security/curve_keys.hpp"
#include "security/rules_authenticator.hpp"
#include "security/zcert.hpp"

#include <memory>

namespace cafmq {

curve_certificate new_curve_certificate() {
  auto pair = security::generate_keypair();
  return {pair.public_key.z85(), pair.secret_key.z85()};
}

void save_certificate(const curve_certificate& cert, const std::string& path) {
  security::zcert z;
  z.public_key = security::curve_key::from_z85(cert.public_key);
  if (cert.secret_key.empty()) {
    security::save_zcert_public(z, path);
    return;
  }
  z.secret_key = security::curve_key::from_z85(cert.secret_key);
  if (!(security::public_key_of(*z.secret_key) == z.public_key))
    throw error(errc::invalid_argument,
                "save_certificate: the secret key does not belong to the public key " +
                  cert.public_key);
  security::save_zcert(z, path);
}

curve_certificate load_certificate(const std::string& path) {
  auto z = security::load_zcert(path);
  return {z.public_key.z85(), z.secret_key ? z.secret_key->z85() : std::string{}};
}

authenticator_ptr certificate_store_authenticator(const std::string& directory) {
  auto rules = std::make_shared<security::access_rules>();
  rules->set_certificate_directory(directory);
  return std::make_shared<security::rules_authenticator>(std::move(rules));
}

} // namespace cafmq
