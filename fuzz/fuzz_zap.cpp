// ZAP requests and replies (security/zap_codec), as a handler or a server receives them. Input:
// ZMTP frames, grouped into messages by their MORE flag (at most 16 messages); each message is
// parsed as a reply to request "1" and as a request, with and without the empty delimiter.
// Invariants: whatever parses is rebuilt frame for frame by make_zap_reply / make_zap_request
// (which then must not throw), a reply's status is 200, 300, 400 or 500, and a request's
// credentials fit its mechanism.
#include "fuzz_support.hpp"

#include "runtime/core/error.hpp"
#include "security/zap_codec.hpp"

using namespace cafmq;
using namespace cafmq::security;

namespace {

void check(const message& msg, zap_envelope env) {
  if (auto reply = parse_zap_reply(msg, "1", env)) {
    auto& r = *reply.value;
    int code = r.reply.status_code;
    FUZZ_CHECK(code == 200 || code == 300 || code == 400 || code == 500);
    FUZZ_CHECK(r.request_id == "1");
    FUZZ_CHECK(make_zap_reply(r.request_id, r.reply, r.properties, env) == msg);
  } else {
    FUZZ_CHECK(!reply.error.empty());
  }
  if (auto request = parse_zap_request(msg, env)) {
    auto& r = *request.value;
    auto& c = r.request.credentials;
    if (r.request.mechanism == "CURVE")
      FUZZ_CHECK(c.size() == 1 && c[0].size() == 32);
    if (r.request.mechanism == "PLAIN")
      FUZZ_CHECK(c.size() == 2);
    if (r.request.mechanism == "NULL")
      FUZZ_CHECK(c.empty());
    FUZZ_CHECK(make_zap_request(r.request, r.request_id, env) == msg);
  } else {
    FUZZ_CHECK(!request.error.empty());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto frames = fuzz::split_frames(data, size);
  message msg;
  size_t messages = 0;
  for (size_t i = 0; i < frames.size() && messages < 16; ++i) {
    msg.add(frame{frames[i].body.data(), frames[i].body.size()});
    if ((frames[i].flags & net::flag::more) && i + 1 < frames.size())
      continue;
    check(msg, zap_envelope::delimiter);
    check(msg, zap_envelope::none);
    msg = message{};
    ++messages;
  }
  return 0;
}
