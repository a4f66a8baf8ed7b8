// `cafmq keygen [--cert FILE]`: a fresh CURVE key pair, printed in Z85 or saved as a zcert pair
// (FILE public, FILE_secret mode 0600). Never overwrites: a key file replaced by mistake locks
// its users out.
#include "commands.hpp"

#include "runtime/core/error.hpp"
#include "security/curve_keys.hpp"
#include "security/zcert.hpp"

#include <cstdio>
#include <sys/stat.h>

namespace cafmq::cli {

namespace {

constexpr const char* keygen_usage =
  "usage: cafmq keygen [--cert FILE]\n"
  "Generates a CURVE key pair (Curve25519, libsodium).\n"
  "Without --cert prints it as two lines, 'public: Z85' and 'secret: Z85'.\n"
  "With --cert writes CZMQ zcert files FILE (public) and FILE_secret (mode 0600) and prints\n"
  "'public: Z85'; existing files are never overwritten.\n"
  "Exit status: 0 ok, 1 error (e.g. a file exists or cannot be written), 2 usage.\n"
  "\n"
  "options:\n"
  "  --cert FILE         write the pair as zcert certificate files\n"
  "  -h, --help          this help\n";

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

} // namespace

int run_keygen(const std::vector<std::string>& args) {
  std::string cert;
  bool cert_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(keygen_usage, stdout);
      return 0;
    }
    if (a == "--cert" || a.rfind("--cert=", 0) == 0) {
      if (cert_given)
        throw usage_error{"--cert given twice"};
      cert_given = true;
      if (a == "--cert") {
        if (++i == args.size())
          throw usage_error{"missing value for --cert"};
        cert = args[i];
      } else {
        cert = a.substr(7);
      }
      if (cert.empty())
        throw usage_error{"--cert needs a file name"};
      continue;
    }
    throw usage_error{"unknown option '" + a + "' for keygen"};
  }

  auto pair = security::generate_keypair();
  if (!cert_given) {
    auto secret = pair.secret_key.z85();
    std::printf("public: %s\nsecret: %s\n", pair.public_key.z85().c_str(), secret.c_str());
    return 0;
  }
  for (const auto& path : {cert, cert + "_secret"})
    if (exists(path))
      throw error{errc::invalid_argument, path + " exists; not overwriting a certificate"};
  security::zcert c;
  c.public_key = pair.public_key;
  c.secret_key = pair.secret_key;
  security::save_zcert(c, cert);
  std::printf("public: %s\n", pair.public_key.z85().c_str());
  return 0;
}

} // namespace cafmq::cli
