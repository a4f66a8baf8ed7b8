// PLAIN password files: one `user=password` per line, split at the first '='; blank lines and
// lines starting with '#' are ignored; a trailing '\r' is dropped; nothing else is trimmed
// (passwords may hold spaces and '='). A line without '=' or with an empty user name is an error:
// a file that decides who may log in is never half-read.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cafmq::security {

/// User name to password.
using password_table = std::map<std::string, std::string, std::less<>>;

/// Parses the text of a password file; `source` names it in errors. Throws
/// cafmq::error(invalid_argument) "source:line: what".
password_table parse_password_file(std::string_view text, std::string_view source);

/// Compares two secrets in time that depends on their lengths only, not on where they differ.
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

} // namespace cafmq::security
