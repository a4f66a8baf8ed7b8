// ZAP (RFC 27) over a ZeroMQ connection: an authenticator that puts each request to a ZAP
// handler bound at an endpoint, as a REP or ROUTER socket, and answers with the handler's reply.
// Any handler that speaks RFC 27 serves: one written with cafmq, pyzmq's zmq.auth, CZMQ's zauth,
// libzmq code, at any endpoint (tcp://, ipc://, inproc:// of the same context).
//
// As in libzmq, a handler bound at inproc://zeromq.zap.01 in a context serves that context's
// PLAIN and CURVE servers (and NULL ones with a zap_domain) that have no authenticator of their
// own and whose context has none set: context_zap_handler() connects a zap_client to it the
// first time such a server needs it (docs/security.md).
#pragma once

#include "context.hpp"
#include "core/authenticator.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace cafmq {

/// Asks the ZAP handler at an endpoint. Requests from any thread; replies (and the 500 of a
/// handler that does not answer within `timeout`, or of a malformed reply) come on its own
/// thread. Destroy it before its context, or let the context's shutdown end it.
class zap_client final : public authenticator {
public:
  /// Connects to the handler at `endpoint` (now or when it appears).
  zap_client(context& ctx, const std::string& endpoint,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~zap_client() override;
  zap_client(const zap_client&) = delete;
  zap_client& operator=(const zap_client&) = delete;

  /// Internal: the same, on a context's control plane.
  zap_client(std::shared_ptr<actors::control> control, const std::string& endpoint,
             std::chrono::milliseconds timeout);

  void authenticate(const auth_request& request,
                    std::function<void(const auth_reply&)> done) override;

private:
  struct state;
  std::shared_ptr<state> st_;
};

/// The ZAP handler of `control`'s context, bound at inproc://zeromq.zap.01: a zap_client to it
/// (made once, kept by the control until it shuts down), or null while no socket of the context
/// binds that name.
authenticator_ptr context_zap_handler(const std::shared_ptr<actors::control>& control);

} // namespace cafmq
