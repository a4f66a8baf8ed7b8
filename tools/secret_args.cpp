#include "secret_args.hpp"

#include "cli_args.hpp"
#include "file_bytes.hpp"

#include "runtime/core/error.hpp"
#include "security/zcert.hpp"

#include <cstdlib>

namespace cafmq::cli {

namespace {

constexpr size_t max_secret_file = 65536;  // far more than any key or password

security::zcert load(std::string_view option, const std::string& path) {
  try {
    return security::load_zcert(path);
  } catch (const error& e) {
    throw error{errc::invalid_argument, std::string(option) + ": " + e.what()};
  }
}

} // namespace

std::string secret_from_file(std::string_view option, const std::string& path) {
  auto text = read_file(std::string(option), path, max_secret_file);
  if (!text.empty() && text.back() == '\n')
    text.pop_back();
  if (!text.empty() && text.back() == '\r')
    text.pop_back();
  return text;
}

std::string secret_from_env(std::string_view option, const std::string& name) {
  // The tool reads its environment once, before any thread that could change it starts.
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr)
    throw usage_error{std::string(option) + ": environment variable " + name + " is not set"};
  return value;
}

cert_keys secret_cert(std::string_view option, const std::string& path) {
  auto cert = load(option, path);
  if (!cert.secret_key)
    throw error{errc::invalid_argument,
                std::string(option) + ": '" + path
                  + "' has no secret key (give the FILE_secret file that keygen --cert wrote)"};
  return {cert.public_key.z85(), cert.secret_key->z85()};
}

std::string public_cert(std::string_view option, const std::string& path) {
  return load(option, path).public_key.z85();
}

} // namespace cafmq::cli
