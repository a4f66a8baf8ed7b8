// Who may connect, decided from a ZAP request (the rules of CZMQ's zauth): client addresses,
// PLAIN users from a password file, CURVE client keys from an allow list or a directory of zcert
// certificates. Files are re-read when they change. Thread-safe; decide() is synchronous and
// may read a changed file, so it stays cheap but is not free.
//
// decide(), in order:
//   1. a denied address fails (400); with any allowed address set, every other address fails.
//   2. NULL passes (the address check is all NULL gets).
//   3. PLAIN passes if the password file has the user with that password (User-Id: the user).
//   4. CURVE passes with allow-any, a key in the allow list, or a key of a certificate in the
//      directory (User-Id: the client key in Z85).
//   5. Everything else fails (400); nothing configured for PLAIN/CURVE means denied.
// A file that cannot be read or parsed when it is needed gives 500 (internal error) until it
// can be again. Status text says why.
#pragma once

#include "runtime/core/mechanism.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::security {

class access_rules {
public:
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

  /// Rules that allow NULL from anywhere and deny PLAIN and CURVE (nothing configured yet).
  access_rules();
  /// The same with a clock for the reload interval (tests).
  explicit access_rules(clock_fn now);
  ~access_rules();
  access_rules(const access_rules&) = delete;
  access_rules& operator=(const access_rules&) = delete;

  /// Allows the client address `address` (as ZAP carries it: "192.168.1.7", "::1"); once any
  /// address is allowed, all others are denied.
  void allow_address(const std::string& address);
  /// Denies `address` for every mechanism (wins over allow_address).
  void deny_address(const std::string& address);
  /// PLAIN users come from `path` (see password_file.hpp), read now and again when it changes.
  /// Throws cafmq::error(invalid_argument) if it cannot be read or parsed now.
  void set_password_file(const std::string& path);
  /// Allows the CURVE client key `z85` (40 characters). Throws cafmq::error if malformed.
  void allow_curve_key(std::string_view z85);
  /// Allows every CURVE client key (CZMQ's CURVE_ALLOW_ANY): encryption without client
  /// authentication.
  void allow_any_curve_key(bool allow = true);
  /// CURVE client keys also come from the zcert public certificates in directory `path`
  /// (regular files, except names starting with '.' or ending in "_secret"), read now and
  /// again when a file is added, removed or changed. Files that do not parse are skipped and
  /// listed by skipped_certificates(). Throws cafmq::error if `path` is not a readable
  /// directory now.
  void set_certificate_directory(const std::string& path);
  /// How often decide() looks for changed files at most (default 1 s; zero: on every request).
  void set_reload_interval(std::chrono::milliseconds interval);

  /// The verdict on `request` (status 200, 400 or 500, text, User-Id).
  auth_reply decide(const auth_request& request);

  /// The certificate files skipped at the last directory read, each with the reason.
  std::vector<std::string> skipped_certificates() const;

private:
  struct state;
  std::unique_ptr<state> st_;
  mutable std::mutex mtx_;
};

} // namespace cafmq::security
