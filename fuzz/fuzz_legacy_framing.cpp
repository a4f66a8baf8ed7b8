// ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) framing in the frame decoder (net/frame_codec). Input: byte 0
// picks the framing (bit 0: 1.0, else 2.0), the limit (bit 1: 255 bytes, a legacy identity's, or
// 64 MiB) and whether the chunked run reads bodies through direct_target() (bit 2); byte 1 seeds
// the chunk sizes; the rest is the stream. Invariants: one chunk or many, the same frames and the
// same end; no frame above the limit; only MORE survives in the flags (no COMMAND in legacy
// framing); a reserved flag bit is always an error; frames written back in the same framing
// decode to themselves.
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstring>
#include <string>

using namespace cafmq;
using net::frame_decoder;
using net::framing;

namespace {

struct decoded {
  std::vector<fuzz::wire_frame> frames;
  bool failed = false;
  std::string error;
};

void collect(frame_decoder& d, const uint8_t*& p, const uint8_t* end, decoded& out) {
  uint8_t flags = 0;
  frame body;
  for (;;) {
    auto r = d.next(p, end, flags, body);
    if (r == frame_decoder::result::need_more)
      return;
    if (r == frame_decoder::result::error) {
      out.failed = true;
      out.error = d.error_text();
      return;
    }
    out.frames.push_back({flags, bytes(body.data(), body.data() + body.size())});
  }
}

frame_decoder make_decoder(framing f, uint64_t limit) {
  frame_decoder d{limit};
  d.set_framing(f);
  return d;
}

decoded whole(framing f, const uint8_t* data, size_t size, uint64_t limit) {
  decoded out;
  auto d = make_decoder(f, limit);
  const uint8_t* p = data;
  collect(d, p, data + size, out);
  FUZZ_CHECK(out.failed || p == data + size);
  return out;
}

decoded chunked(framing f, const uint8_t* data, size_t size, uint64_t limit, uint8_t seed,
                bool direct) {
  decoded out;
  auto d = make_decoder(f, limit);
  uint32_t state = seed * 2654435761u + 1;
  size_t pos = 0;
  while (pos < size && !out.failed) {
    state = state * 1103515245u + 12345u;
    size_t n = std::min<size_t>(size - pos, 1 + (state >> 16) % 24);
    auto [target, want] = direct ? d.direct_target() : std::pair<uint8_t*, size_t>{nullptr, 0};
    if (target != nullptr) {
      n = std::min(n, want);
      std::memcpy(target, data + pos, n);
      d.direct_filled(n);
      pos += n;
      const uint8_t* none = data + pos;
      collect(d, none, none, out);
      continue;
    }
    const uint8_t* p = data + pos;
    collect(d, p, data + pos + n, out);
    FUZZ_CHECK(out.failed || p == data + pos + n);
    pos = static_cast<size_t>(p - data);
  }
  return out;
}

bool same(const decoded& a, const decoded& b) {
  if (a.failed != b.failed || a.error != b.error || a.frames.size() != b.frames.size())
    return false;
  for (size_t i = 0; i < a.frames.size(); ++i)
    if (a.frames[i].flags != b.frames[i].flags || a.frames[i].body != b.frames[i].body)
      return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  const framing f = (data[0] & 1) ? framing::zmtp1 : framing::zmtp2;
  const uint64_t limit = (data[0] & 2) ? 255 : uint64_t{64} << 20;
  const bool direct = (data[0] & 4) != 0;
  const uint8_t seed = data[1];
  data += 2;
  size -= 2;

  auto a = whole(f, data, size, limit);
  for (auto& fr : a.frames) {
    FUZZ_CHECK(fr.body.size() <= limit);
    FUZZ_CHECK(fr.flags == 0 || fr.flags == net::flag::more);
  }
  if (a.failed)
    FUZZ_CHECK(!a.error.empty());
  FUZZ_CHECK(same(a, chunked(f, data, size, limit, seed, direct)));

  bytes wire;  // the frames written back in the same framing
  for (auto& fr : a.frames) {
    uint8_t header[net::max_zmtp1_header];
    size_t h = f == framing::zmtp1 ? net::write_zmtp1_header(header, fr.flags, fr.body.size())
                                   : net::write_frame_header(header, fr.flags, fr.body.size());
    wire.insert(wire.end(), header, header + h);
    wire.insert(wire.end(), fr.body.begin(), fr.body.end());
  }
  auto again = whole(f, wire.data(), wire.size(), limit);
  FUZZ_CHECK(!again.failed && again.frames.size() == a.frames.size());
  for (size_t i = 0; i < a.frames.size(); ++i)
    FUZZ_CHECK(again.frames[i].flags == a.frames[i].flags
               && again.frames[i].body == a.frames[i].body);
  return 0;
}
