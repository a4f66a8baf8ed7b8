// The authenticator behind a PLAIN or CURVE server socket, or a NULL one with a zap_domain: the
// socket's own, else the context's (looked up per request, so a handler set later still
// counts), else a ZAP handler bound at inproc://zeromq.zap.01 in the socket's context, as libzmq
// asks it (the `zap_handler` lookup, runtime/zap_client.hpp), else the defaults below; its verdict
// then passes the socket's authorization rules (which identities may connect).
//
// Defaults without any authenticator (docs/security.md): a CURVE server accepts every client
// that proves its key ("allow any", libzmq's behaviour) and a NULL socket with a zap_domain
// every peer, unless zap_enforce_domain is set; a PLAIN server refuses every client (500), as
// libzmq does: a password needs someone to check it.
#pragma once

#include "runtime/core/authenticator.hpp"
#include "runtime/core/options.hpp"

#include <functional>

namespace cafmq::security {

/// The context's ZAP handler at inproc://zeromq.zap.01, looked up per request: null while no
/// socket of the context binds that name.
using zap_handler_lookup = std::function<authenticator_ptr()>;

/// The authenticator for the connections of a server socket with `options`; `zap_handler` (may
/// be empty) is asked when neither the socket nor the context has an authenticator.
authenticator_ptr make_socket_authenticator(const socket_options& options,
                                            std::shared_ptr<authenticator_slot> context_slot,
                                            zap_handler_lookup zap_handler = {});

/// The identity authorization rules see for an accepted request: the authenticator's User-Id,
/// else for CURVE the client's public key in Z85.
std::string authenticated_identity(const auth_request& request, const auth_reply& reply);

} // namespace cafmq::security
