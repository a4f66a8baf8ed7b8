// Bytes as text for the output formats: lowercase hex and RFC 4648 base64 (with padding),
// encoded by libsodium.
#pragma once

#include <string>
#include <string_view>

namespace cafmq::cli {

/// Appends `bytes` as lowercase hex (two digits per byte) to `out`.
void append_hex(std::string& out, std::string_view bytes);
/// Appends `bytes` as standard base64 with `=` padding to `out`.
void append_base64(std::string& out, std::string_view bytes);

} // namespace cafmq::cli
