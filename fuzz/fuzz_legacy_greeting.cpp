// The greeting exchange with ZMTP 2.0/1.0 downgrade (net/legacy_greeting). Input: byte 0 picks our
// side (bits 0-1: NULL, NULL with a ZAP domain, PLAIN, CURVE; bits 2-7: identity length), byte 1
// seeds the chunk sizes; the rest is what the peer sends. The exchange is fed as the engine feeds
// it (never more than wanted()), once in one piece and once in chunks, taking our due bytes after
// each step. Invariants: both runs agree on the verdict, the version and the bytes we sent (and,
// unless refused, the bytes taken); a verdict is final (wanted() 0); only NULL without a ZAP
// domain ever settles on a legacy version, and a refused legacy peer's reason names
// CVE-2014-9721; our bytes start with the signature; a 3.x verdict took 64 peer bytes and sent
// 64; a 2.0/1.0 one took 12 and sent the socket type and an identity frame; an unversioned peer's
// bytes were at most 2 or 10.
#include "fuzz_support.hpp"

#include "net/legacy_greeting.hpp"

#include <algorithm>
#include <string>

using namespace cafmq;
using net::greeting_exchange;
using net::zmtp_version;
using status = net::greeting_check::status;

namespace {

struct run {
  net::greeting_result result;
  size_t taken = 0;
  bytes sent;
};

run play(const net::greeting_plan& plan, const uint8_t* data, size_t size, uint8_t seed) {
  greeting_exchange g{plan};
  run r;
  auto due = g.take_due();
  r.sent.insert(r.sent.end(), due.begin(), due.end());
  uint32_t state = seed * 2654435761u + 1;
  while (r.taken < size && g.wanted() > 0) {
    size_t n = size - r.taken;
    if (seed != 0) {
      state = state * 1103515245u + 12345u;
      n = std::min<size_t>(n, 1 + (state >> 16) % 13);
    }
    n = std::min(n, g.wanted());
    g.feed(data + r.taken, n);
    r.taken += n;
    due = g.take_due();
    r.sent.insert(r.sent.end(), due.begin(), due.end());
  }
  r.result = g.result();
  FUZZ_CHECK(g.peer_bytes().size() == r.taken);
  if (r.result.check.state != status::need_more)
    FUZZ_CHECK(g.wanted() == 0);
  return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  static const char* mechanisms[] = {"NULL", "NULL", "PLAIN", "CURVE"};
  net::greeting_plan plan;
  plan.mechanism = mechanisms[data[0] & 3];
  if ((data[0] & 3) == 1)
    plan.no_downgrade_because = "this socket has a ZAP domain";
  else if ((data[0] & 3) > 1)
    plan.no_downgrade_because = "this socket uses " + plan.mechanism;
  plan.identity.assign(data[0] >> 2, 'i');
  plan.socket_type = 5;
  const uint8_t seed = data[1] == 0 ? 1 : data[1];
  data += 2;
  size -= 2;

  auto a = play(plan, data, size, 0);
  auto b = play(plan, data, size, seed);
  FUZZ_CHECK(a.result.check.state == b.result.check.state);
  FUZZ_CHECK(a.result.check.error == b.result.check.error);
  FUZZ_CHECK(a.result.version == b.result.version);
  FUZZ_CHECK(a.sent == b.sent);
  if (a.result.check.state != status::failed)  // a refusal may have read a few bytes further
    FUZZ_CHECK(a.taken == b.taken);

  const bool downgrade = plan.no_downgrade_because.empty();
  FUZZ_CHECK(a.sent.size() >= 10 && a.sent[0] == 0xFF && a.sent[9] == 0x7F);
  const auto& check = a.result.check;
  if (check.state == status::failed) {
    FUZZ_CHECK(!check.error.empty());
    if (!downgrade && check.code == event_reason::protocol && a.taken > 0
        && (data[0] != 0xFF || (a.taken >= 10 && (data[9] & 1) == 0)
            || (a.taken >= 11 && data[10] < 2)))
      FUZZ_CHECK(check.error.find("CVE-2014-9721") != std::string::npos);
  }
  if (check.state != status::ok)
    return 0;
  switch (a.result.version) {
    case zmtp_version::v3:
      FUZZ_CHECK(a.taken == net::greeting_size && a.sent.size() == net::greeting_size);
      break;
    case zmtp_version::v2:
    case zmtp_version::v1:
      FUZZ_CHECK(downgrade);
      FUZZ_CHECK(a.taken == 12 && a.result.peer_socket_type == data[11]);
      FUZZ_CHECK(a.sent.size() == 12 + 2 + plan.identity.size() && a.sent[11] == 5);
      break;
    case zmtp_version::v1_unversioned:
      FUZZ_CHECK(downgrade);
      FUZZ_CHECK(a.taken == (data[0] == 0xFF ? 10u : 2u));
      FUZZ_CHECK(a.sent.size() == 10 + plan.identity.size());
      break;
  }
  return 0;
}
