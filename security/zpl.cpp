// ZPL lines: indentation, name, optional "= value" (quoted or bare), comment. Every malformed
// line is an error naming its line: certificate files decide who may connect, so nothing is
// guessed.
#include "security/zpl.hpp"

#include "runtime/core/error.hpp"
#include "runtime/core/zmtp_command.hpp"

#include <cstring>

namespace cafmq::security {

namespace {

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
         || std::strchr("$-_@.&+/", c) != nullptr;
}

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}

class line_parser {
public:
  line_parser(std::string_view source, size_t line) : source_(source), line_(line) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw error{errc::invalid_argument,
                std::string(source_) + ":" + std::to_string(line_) + ": " + what};
  }

  /// The entry on `text`, or nullopt for a blank or comment-only line.
  std::optional<zpl_entry> parse(std::string_view text) const {
    size_t pos = 0;
    size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos || text[first] == '#')
      return std::nullopt;
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
    if (pos < text.size() && text[pos] == '\t')
      fail("a tab in the indentation (ZPL indents with 4 spaces)");
    if (pos % 4 != 0)
      fail("indentation of " + std::to_string(pos) + " spaces is not a multiple of 4");
    zpl_entry e;
    e.depth = pos / 4;
    e.line = line_;
    size_t name_start = pos;
    while (pos < text.size() && is_name_char(text[pos]))
      ++pos;
    e.name = std::string(text.substr(name_start, pos - name_start));
    if (e.name.empty())
      fail("expected a property name, found '" + printable(text.substr(pos, 1)) + "'");
    skip_blanks(text, pos);
    if (pos == text.size() || text[pos] == '#')
      return e;
    if (text[pos] != '=')
      fail("bad character '" + printable(text.substr(pos, 1)) + "' in the name '" + e.name + "'");
    ++pos;
    skip_blanks(text, pos);
    e.value = value(text, pos);
    return e;
  }

private:
  static void skip_blanks(std::string_view text, size_t& pos) noexcept {
    while (pos < text.size() && is_blank(text[pos]))
      ++pos;
  }

  std::string value(std::string_view text, size_t pos) const {
    if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
      char quote = text[pos];
      size_t end = text.find(quote, pos + 1);
      if (end == std::string_view::npos)
        fail(std::string("unterminated ") + quote + " quote");
      std::string v(text.substr(pos + 1, end - pos - 1));
      pos = end + 1;
      skip_blanks(text, pos);
      if (pos < text.size() && text[pos] != '#')
        fail("text after the closing quote");
      return v;
    }
    size_t end = text.find('#', pos);  // an unquoted '#' starts a comment
    auto v = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    while (!v.empty() && is_blank(v.back()))
      v.remove_suffix(1);
    return std::string(v);
  }

  std::string_view source_;
  size_t line_;
};

} // namespace

bool is_zpl_name(std::string_view name) noexcept {
  if (name.empty())
    return false;
  for (char c : name)
    if (!is_name_char(c))
      return false;
  return true;
}

std::vector<zpl_entry> parse_zpl(std::string_view text, std::string_view source) {
  std::vector<zpl_entry> out;
  size_t line = 0;
  size_t depth_limit = 0;  // a child may be at most one level below the line before it
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos)
      end = text.size();
    line_parser p{source, ++line};
    if (auto e = p.parse(text.substr(pos, end - pos))) {
      if (e->depth > depth_limit)
        p.fail("indented more than one level below the line before");
      depth_limit = e->depth + 1;
      out.push_back(std::move(*e));
    }
    pos = end;
    if (pos < text.size() && text[pos] == '\r')
      ++pos;
    if (pos < text.size() && text[pos] == '\n')
      ++pos;
  }
  return out;
}

} // namespace cafmq::security
