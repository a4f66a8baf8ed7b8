// The ZMTP frame decoder (net/frame_codec). Input: byte 0 picks the limit (bit 0: the engine's
// 64 KiB pre-handshake cap, or 64 MiB, libzmq's fuzzing maxmsgsize) and whether the chunked run
// reads bodies through direct_target() as the engine does (bit 1); byte 1 seeds the chunk sizes;
// the rest is the stream. Invariants: one chunk or many, the same frames and the same end (need
// more / error, with the same reason); no frame above the limit; only MORE or COMMAND survive in
// the flags; frames written back with write_frame_header decode to themselves.
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstring>
#include <string>

using namespace cafmq;
using net::frame_decoder;

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

decoded whole(const uint8_t* data, size_t size, uint64_t limit) {
  decoded out;
  frame_decoder d{limit};
  const uint8_t* p = data;
  collect(d, p, data + size, out);
  FUZZ_CHECK(out.failed || p == data + size);  // need_more only once everything is consumed
  return out;
}

decoded chunked(const uint8_t* data, size_t size, uint64_t limit, uint8_t seed, bool direct) {
  decoded out;
  frame_decoder d{limit};
  uint32_t state = seed * 2654435761u + 1;
  size_t pos = 0;
  while (pos < size && !out.failed) {
    state = state * 1103515245u + 12345u;
    size_t n = std::min<size_t>(size - pos, 1 + (state >> 16) % 24);
    auto [target, want] = direct ? d.direct_target() : std::pair<uint8_t*, size_t>{nullptr, 0};
    if (target != nullptr) {  // the engine reads the socket straight into the body
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
  const uint64_t limit = (data[0] & 1) ? uint64_t{64} << 20 : uint64_t{64} << 10;
  const bool direct = (data[0] & 2) != 0;
  const uint8_t seed = data[1];
  data += 2;
  size -= 2;

  auto a = whole(data, size, limit);
  for (auto& f : a.frames) {
    FUZZ_CHECK(f.body.size() <= limit);
    FUZZ_CHECK(f.flags == 0 || f.flags == net::flag::more || f.flags == net::flag::command);
  }
  if (a.failed)
    FUZZ_CHECK(!a.error.empty());
  FUZZ_CHECK(same(a, chunked(data, size, limit, seed, direct)));

  bytes wire;  // the frames written back
  for (auto& f : a.frames) {
    uint8_t header[net::max_frame_header];
    size_t h = net::write_frame_header(header, f.flags, f.body.size());
    FUZZ_CHECK(h == (f.body.size() > 255 ? 9u : 2u));
    wire.insert(wire.end(), header, header + h);
    wire.insert(wire.end(), f.body.begin(), f.body.end());
  }
  auto again = whole(wire.data(), wire.size(), limit);
  FUZZ_CHECK(!again.failed && again.frames.size() == a.frames.size());
  for (size_t i = 0; i < a.frames.size(); ++i)
    FUZZ_CHECK(again.frames[i].flags == a.frames[i].flags
               && again.frames[i].body == a.frames[i].body);
  return 0;
}
