// Reading a whole file (or stdin) as bytes, for FRAME @FILE, FRAME - and the secret files.
#pragma once

#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>

namespace cafmq::cli {

constexpr size_t no_size_limit = std::numeric_limits<size_t>::max();

/// All bytes of `in` (binary, up to EOF). `what` starts every error message ("stdin: cannot
/// read: ...").
/// Throws cafmq::error if it cannot be read or holds more than `max_bytes`.
std::string read_all(std::FILE* in, const std::string& what, size_t max_bytes = no_size_limit);

/// All bytes of the file at `path`. Throws cafmq::error naming `who` (the flag that asked for it),
/// the file and the reason ("--curve-secret-file: cannot open 'key.txt': No such file or
/// directory") if it cannot be opened or read, or holds more than `max_bytes`.
std::string read_file(const std::string& who, const std::string& path,
                      size_t max_bytes = no_size_limit);

} // namespace cafmq::cli
