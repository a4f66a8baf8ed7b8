// The constructors of each socket type's pattern, one per pattern file; make_pattern picks one.
// Private to patterns/ and its tests.
#pragma once

#include "patterns/socket_pattern.hpp"

#include <string>

namespace cafmq::patterns {

std::unique_ptr<socket_pattern> make_push(const socket_options& o);
std::unique_ptr<socket_pattern> make_pull(const socket_options& o);
std::unique_ptr<socket_pattern> make_pair(const socket_options& o);
std::unique_ptr<socket_pattern> make_stream(const socket_options& o);
std::unique_ptr<socket_pattern> make_req(const socket_options& o);
std::unique_ptr<socket_pattern> make_rep(const socket_options& o);
std::unique_ptr<socket_pattern> make_dealer(const socket_options& o);
std::unique_ptr<socket_pattern> make_router(const socket_options& o);
std::unique_ptr<socket_pattern> make_pub(const socket_options& o);
std::unique_ptr<socket_pattern> make_sub(const socket_options& o);
std::unique_ptr<socket_pattern> make_xpub(const socket_options& o);
std::unique_ptr<socket_pattern> make_xsub(const socket_options& o);

/// Throws errc::unsupported: a `t` socket cannot `what` (e.g. "receive"), citing `rfc`.
[[noreturn]] void cannot(socket_type t, const char* what, const char* rfc);

} // namespace cafmq::patterns
