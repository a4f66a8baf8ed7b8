// Reply envelopes (RFC 28): the routing frames in front of a request, up to and including the
// empty delimiter frame. Frames are copied (a reference count for large ones, 32 bytes for small
// ones), never their bytes.
#pragma once

#include "runtime/core/message.hpp"

#include <cstddef>

namespace cafmq::patterns {

/// "No delimiter" for find_delimiter.
constexpr size_t no_delimiter = static_cast<size_t>(-1);

/// Appends frames [from, in.size()) of `in` to `out`.
void append_frames(message& out, const message& in, size_t from = 0);

/// The index of the first empty frame of `m`, or no_delimiter.
size_t find_delimiter(const message& m) noexcept;

/// Splits `in` at its first empty frame: `envelope` gets the frames up to and including it, `body`
/// the frames after it (both are cleared first). False, leaving both empty, when `in` has no
/// delimiter or nothing after it: such a message is no request (libzmq discards it too).
bool split_envelope(const message& in, message& envelope, message& body);

} // namespace cafmq::patterns
