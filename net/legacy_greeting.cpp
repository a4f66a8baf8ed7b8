// The greeting exchange with ZMTP 2.0/1.0 downgrade (RFC 23 §Version Negotiation, RFC 15, RFC 13),
// in the order libzmq 4.3's stream engine takes its steps. See legacy_greeting.hpp.
#include "net/legacy_greeting.hpp"

#include "runtime/core/connection_end.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace cafmq::net {

namespace {

constexpr size_t signature_size = 10;
constexpr size_t revision_at = 10;
constexpr size_t legacy_greeting_size = 12;  // signature, revision, socket type
constexpr size_t max_identity = 255;

} // namespace

std::string_view legacy_socket_type_name(int type) noexcept {
  static constexpr std::array<std::string_view, 11> names = {
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"};
  if (type < 0 || static_cast<size_t>(type) >= names.size())
    return {};
  return names[static_cast<size_t>(type)];
}

greeting_exchange::greeting_exchange(greeting_plan plan) : plan_(std::move(plan)) {
  if (plan_.identity.size() > max_identity)
    throw std::invalid_argument("identity must be at most 255 bytes");
  auto full = make_greeting(plan_.mechanism, plan_.as_server);
  if (!downgrade()) {  // all 64 bytes at once, as before: no round trips for a secure socket
    ours_.assign(full.begin(), full.end());
    due_ = ours_.size();
    return;
  }
  // The signature doubles as a ZMTP 1.0 frame header: be64(identity size + 1), flags 0x7F.
  uint64_t length = plan_.identity.size() + 1;
  for (int i = 0; i < 8; ++i)
    full[1 + static_cast<size_t>(i)] = static_cast<uint8_t>(length >> (56 - 8 * i));
  ours_.assign(full.begin(), full.end());
  due_ = signature_size;
}

std::vector<uint8_t> greeting_exchange::take_due() {
  std::vector<uint8_t> out(ours_.begin() + static_cast<std::ptrdiff_t>(taken_),
                           ours_.begin() + static_cast<std::ptrdiff_t>(due_));
  taken_ = due_;
  return out;
}

size_t greeting_exchange::wanted() const noexcept {
  if (result_.check.state != greeting_check::status::need_more)
    return 0;
  size_t n = peer_.size();
  if (!downgrade())
    return greeting_size - n;
  if (n == 0)
    return 1;
  if (peer_[0] != 0xFF)
    return 2 - n;  // the length byte, then the flags byte of a ZMTP 1.0 identity frame
  if (n < signature_size)
    return signature_size - n;  // the whole signature: then our major version is due
  if (n == signature_size)
    return 1;
  return (peer_[revision_at] < 3 ? legacy_greeting_size : greeting_size) - n;
}

const greeting_result& greeting_exchange::feed(const uint8_t* data, size_t size) {
  size_t take = std::min(size, wanted());
  peer_.insert(peer_.end(), data, data + take);
  if (take > 0)
    judge();
  return result_;
}

framing greeting_exchange::frame_format() const noexcept {
  switch (result_.version) {
    case zmtp_version::v1_unversioned:
    case zmtp_version::v1:
      return framing::zmtp1;
    case zmtp_version::v2:
      return framing::zmtp2;
    case zmtp_version::v3:
      break;
  }
  return framing::zmtp3;
}

void greeting_exchange::judge() {
  const uint8_t* g = peer_.data();
  size_t n = peer_.size();
  bool no_signature = g[0] != 0xFF;
  bool unversioned = no_signature || (n >= signature_size && (g[9] & 0x01) == 0);
  if (unversioned) {
    if (!downgrade()) {
      if (no_signature)
        return fail("peer does not speak ZMTP 3.x (no 0xFF signature): another protocol, or "
                    "ZMTP 1.0, whose downgrade is refused (CVE-2014-9721): "
                    + plan_.no_downgrade_because);
      return refuse_downgrade("ZMTP 1.0 (unversioned signature)");
    }
    size_t flags_at = no_signature ? 1 : 9;  // the flags byte of its identity frame
    if (n <= flags_at)
      return;
    if (g[flags_at] != 0 || (no_signature && g[0] == 0)) {
      if (no_signature)
        return fail("peer does not speak ZMTP (no 0xFF signature): its first bytes "
                    + hex_byte(g[0]) + " " + hex_byte(g[1])
                    + " are no ZMTP 1.0 identity frame either");
      return fail("peer does not speak ZMTP: an unversioned signature whose flags byte "
                  + hex_byte(g[9]) + " is no ZMTP 1.0 identity frame");
    }
    ours_.resize(signature_size);  // our identity frame's body follows its header
    ours_.insert(ours_.end(), plan_.identity.begin(), plan_.identity.end());
    due_ = ours_.size();
    return settle(zmtp_version::v1_unversioned, -1);
  }
  if (n < signature_size)
    return;
  if (downgrade() && due_ < signature_size + 1)
    due_ = signature_size + 1;  // the major version, now that the peer is versioned
  if (n < signature_size + 1)
    return;
  uint8_t revision = g[revision_at];
  if (revision < 2) {
    const char* what = revision == 0 ? "ZMTP 1.0 (revision 0x00)" : "ZMTP 2.0 (revision 0x01)";
    if (!downgrade())
      return refuse_downgrade(what);
    if (ours_.size() == greeting_size) {  // our socket type, then our identity frame
      ours_.resize(signature_size + 1);
      ours_.push_back(plan_.socket_type);
      uint8_t header[max_zmtp1_header] = {};
      auto size = plan_.identity.size();
      size_t h = revision == 0 ? write_zmtp1_header(header, 0, size)
                               : write_frame_header(header, 0, size);
      ours_.insert(ours_.end(), header, header + h);
      ours_.insert(ours_.end(), plan_.identity.begin(), plan_.identity.end());
      due_ = ours_.size();
    }
    if (n < legacy_greeting_size)
      return;
    return settle(revision == 0 ? zmtp_version::v1 : zmtp_version::v2, g[11]);
  }
  if (revision == 2)
    return fail("peer announces ZMTP revision 0x02, which no ZMTP specification defines");
  due_ = greeting_size;  // the rest of our 3.x greeting
  auto check = check_greeting(g, n, plan_.mechanism);
  if (check.state == greeting_check::status::need_more) {
    result_.check.minor = check.minor;
    return;
  }
  result_.check = std::move(check);
  result_.version = zmtp_version::v3;
}

void greeting_exchange::settle(zmtp_version v, int peer_type) {
  result_.check.state = greeting_check::status::ok;
  result_.check.minor = 0;
  result_.version = v;
  result_.peer_socket_type = peer_type;
}

void greeting_exchange::fail(std::string why, event_reason code) {
  result_.check.state = greeting_check::status::failed;
  result_.check.error = std::move(why);
  result_.check.code = code;
}

void greeting_exchange::refuse_downgrade(const std::string& peer) {
  fail("ZMTP downgrade refused (CVE-2014-9721): peer speaks " + peer + ", and "
       + plan_.no_downgrade_because + ", which needs ZMTP 3.x");
}

} // namespace cafmq::net
