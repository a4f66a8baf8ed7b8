// Envelope helpers: frame copies only.
#include "patterns/envelope.hpp"

namespace cafmq::patterns {

void append_frames(message& out, const message& in, size_t from) {
  for (size_t i = from; i < in.size(); ++i)
    out.add(in[i]);
}

size_t find_delimiter(const message& m) noexcept {
  for (size_t i = 0; i < m.size(); ++i)
    if (m[i].empty())
      return i;
  return no_delimiter;
}

bool split_envelope(const message& in, message& envelope, message& body) {
  envelope.clear();
  body.clear();
  auto d = find_delimiter(in);
  if (d == no_delimiter || d + 1 >= in.size())
    return false;
  for (size_t i = 0; i <= d; ++i)
    envelope.add(in[i]);
  append_frames(body, in, d + 1);
  return true;
}

} // namespace cafmq::patterns
