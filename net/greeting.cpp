// ZMTP 3.x greeting (RFC 23 §Formal Grammar, §Version Negotiation; RFC 37): build ours, judge the
// peer's as early as its bytes allow, so a legacy peer is refused after 1, 10 or 11 bytes.
#include "net/greeting.hpp"

#include "runtime/core/connection_end.hpp"
#include "runtime/core/zmtp_command.hpp"

#include <cstring>
#include <stdexcept>

namespace cafmq::net {

namespace {

constexpr size_t mechanism_offset = 12;
constexpr size_t mechanism_size = 20;
constexpr size_t as_server_offset = 32;

greeting_check failed(std::string why, event_reason code = event_reason::protocol) {
  greeting_check r;
  r.state = greeting_check::status::failed;
  r.error = std::move(why);
  r.code = code;
  return r;
}

std::string legacy(const char* version, const char* how) {
  return std::string{"peer speaks ZMTP "} + version + " (" + how
         + "), which cafmq does not support";
}

// The mechanism field without its NUL padding (inner NULs shown), escaped for the message.
std::string mechanism_name(const uint8_t* field) {
  size_t n = mechanism_size;
  while (n > 0 && field[n - 1] == 0)
    --n;
  return peer_text({reinterpret_cast<const char*>(field), n});
}

} // namespace

std::array<uint8_t, greeting_size> make_greeting(std::string_view mechanism, bool as_server) {
  if (mechanism.empty() || mechanism.size() > mechanism_size)
    throw std::invalid_argument("mechanism name must be 1..20 bytes");
  std::array<uint8_t, greeting_size> g{};
  g[0] = 0xFF;
  g[8] = 0x01;  // padding = be64(identity length + 1) with no identity, as libzmq sends
  g[9] = 0x7F;
  g[10] = 0x03;
  g[11] = 0x01;
  std::memcpy(g.data() + mechanism_offset, mechanism.data(), mechanism.size());
  g[as_server_offset] = as_server ? 1 : 0;
  return g;
}

greeting_check check_greeting(const uint8_t* data, size_t size, std::string_view our_mechanism) {
  // Detection order follows libzmq's receive_greeting: byte 0, then byte 9's LSB, then byte 10.
  // Without the signature the peer speaks another protocol (HTTP, TLS...) or ZMTP 1.0: the
  // first byte cannot tell which, so the message names the fact, not a guess.
  if (size >= 1 && data[0] != 0xFF)
    return failed("peer does not speak ZMTP (no 0xFF signature): another protocol, or ZMTP 1.0, "
                  "which cafmq does not support");
  if (size >= 10 && (data[9] & 0x01) == 0)
    return failed(legacy("1.0", "unversioned signature"));
  if (size >= 11 && data[10] < 3) {
    if (data[10] == 0)
      return failed(legacy("1.0", "revision 0x00"));
    return failed(legacy("2.0", data[10] == 1 ? "revision 0x01" : "revision 0x02"));
  }
  greeting_check r;
  // 3.0 only when the peer says exactly 3.0; any newer version talks 3.1 framing to us.
  if (size >= 12)
    r.minor = (data[10] == 3 && data[11] == 0) ? 0 : 1;
  if (size < greeting_size)
    return r;
  r.as_server = data[as_server_offset] != 0;  // reported only: libzmq always sends 0
  uint8_t ours[mechanism_size] = {};
  std::memcpy(ours, our_mechanism.data(),
              our_mechanism.size() < mechanism_size ? our_mechanism.size() : mechanism_size);
  const uint8_t* theirs = data + mechanism_offset;
  if (our_mechanism.size() > mechanism_size
      || std::memcmp(ours, theirs, mechanism_size) != 0)
    return failed("mechanism mismatch: peer uses " + mechanism_name(theirs) + ", this socket uses "
                    + std::string(our_mechanism),
                  event_reason::mechanism_mismatch);
  r.state = greeting_check::status::ok;
  return r;
}

} // namespace cafmq::net
