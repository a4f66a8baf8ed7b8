// Who decides whether a client may talk to a PLAIN or CURVE server socket: the ZAP role (RFC 27)
// as an interface. Engines ask it on the I/O thread and must never wait for it, so the answer
// comes back through a callback.
#pragma once

#include "mechanism.hpp"

#include <functional>
#include <memory>
#include <mutex>

namespace cafmq {

/// Answers authentication requests (ZAP requests, RFC 27).
class authenticator {
public:
  virtual ~authenticator() = default;
  /// Decides `request` and calls `done` exactly once with the reply: at once or later, on any
  /// thread. Must not block the caller (it is an I/O thread). Thread-safe.
  virtual void authenticate(const auth_request& request,
                            std::function<void(const auth_reply&)> done) = 0;
};

using authenticator_ptr = std::shared_ptr<authenticator>;

/// The context's authenticator (libzmq: the process's ZAP handler), replaceable at any time;
/// server sockets without their own look it up per request.
class authenticator_slot {
public:
  void set(authenticator_ptr a) {
    std::lock_guard<std::mutex> guard{mtx_};
    current_ = std::move(a);
  }
  authenticator_ptr get() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return current_;
  }

private:
  mutable std::mutex mtx_;
  authenticator_ptr current_;
};

} // namespace cafmq
