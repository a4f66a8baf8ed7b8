// JSON encoding of frames. Hot path of `cafmq recv`: appends to a caller-owned buffer and copies
// plain ASCII in runs, so a message costs no allocation once the buffer has grown.
#include "json_frames.hpp"

#include "binary_text.hpp"

namespace cafmq::cli {

namespace {

/// Length of the well-formed UTF-8 sequence at `p` (Unicode table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t utf8_length(const unsigned char* p, size_t left) {
  unsigned char c = p[0];
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (left < len || p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < len; ++i)
    if (p[i] < 0x80 || p[i] > 0xBF)
      return 0;
  return len;
}

/// True for ASCII bytes that JSON lets through unescaped.
bool plain_ascii(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void append_escaped_byte(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(esc, sizeof esc);
}

} // namespace

bool append_json_string(std::string& out, std::string_view bytes) {
  auto p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t start = out.size();
  out.push_back('"');
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n && plain_ascii(p[run]))
      ++run;
    out.append(bytes.data() + i, run - i);
    i = run;
    if (i == n)
      break;
    if (p[i] < 0x80) {
      append_escaped_byte(out, p[i]);  // a JSON special or a control character
      ++i;
      continue;
    }
    size_t len = utf8_length(p + i, n - i);
    if (len == 0) {
      out.resize(start);  // not UTF-8: the caller picks another encoding
      return false;
    }
    out.append(bytes.data() + i, len);
    i += len;
  }
  out.push_back('"');
  return true;
}

void append_json_frame(std::string& out, std::string_view bytes) {
  if (append_json_string(out, bytes))
    return;
  out += "{\"base64\":\"";
  append_base64(out, bytes);
  out += "\"}";
}

void append_json_message(std::string& out, const message& msg) {
  out.push_back('[');
  for (size_t i = 0; i < msg.size(); ++i) {
    if (i > 0)
      out.push_back(',');
    append_json_frame(out, msg[i].view());
  }
  out.push_back(']');
}

} // namespace cafmq::cli
