// A reader for ZPL (RFC 4, the ZeroMQ Property Language) as far as zcert files use it: one
// `name [= value]` per line, hierarchy by 4-space indentation, '#' comments, values optionally
// in single or double quotes. Pure: text in, entries out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::security {

/// One property line.
struct zpl_entry {
  size_t depth = 0;                  ///< 0 at the root, +1 per 4 spaces of indentation
  std::string name;
  std::optional<std::string> value;  ///< without quotes; nullopt for a bare name (a section)
  size_t line = 0;                   ///< 1-based, for errors
};

/// True for a valid ZPL name: 1+ characters from letters, digits and $ - _ @ . & + /.
bool is_zpl_name(std::string_view name) noexcept;

/// Parses `text` in order; `source` names it in errors. Throws cafmq::error(invalid_argument)
/// "source:line: what" for tabs or indentation not a multiple of 4 or skipping a level, bad
/// name characters, an unterminated quote or text after a closing quote.
std::vector<zpl_entry> parse_zpl(std::string_view text, std::string_view source);

} // namespace cafmq::security
