// zcert certificates and the ZPL they are written in (security/zpl, security/zcert). Input: the
// text of a certificate file. Invariants: bad text throws cafmq::error(invalid_argument) and
// nothing else; ZPL entries have valid names and never go down more than one level at a time;
// a parsed certificate written out again (public and, with a secret key, secret file) parses
// back to the same keys and metadata, unless the writer refuses metadata ZPL cannot carry.
#include "fuzz_support.hpp"

#include "runtime/core/error.hpp"
#include "security/zcert.hpp"
#include "security/zpl.hpp"

using namespace cafmq;
using namespace cafmq::security;

namespace {

void check_same(const zcert& a, const zcert& b) {
  FUZZ_CHECK(a.public_key == b.public_key);
  FUZZ_CHECK(a.secret_key.has_value() == b.secret_key.has_value());
  if (a.secret_key)
    FUZZ_CHECK(*a.secret_key == *b.secret_key);
  FUZZ_CHECK(a.metadata == b.metadata);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    auto entries = parse_zpl(text, "fuzz");
    size_t limit = 0;
    for (auto& e : entries) {
      FUZZ_CHECK(is_zpl_name(e.name) && e.depth <= limit && e.line >= 1);
      limit = e.depth + 1;
    }
  } catch (const error& e) {
    FUZZ_CHECK(e.code() == errc::invalid_argument);
  }

  zcert cert;
  try {
    cert = parse_zcert(text, "fuzz");
  } catch (const error& e) {
    FUZZ_CHECK(e.code() == errc::invalid_argument);
    return 0;
  }
  std::string written;
  try {
    written = cert.secret_key ? zcert_secret_text(cert, "2024-05-01 12:00:00")
                              : zcert_public_text(cert, "2024-05-01 12:00:00");
  } catch (const error& e) {  // e.g. a value holding both quote characters
    FUZZ_CHECK(e.code() == errc::invalid_argument);
    return 0;
  }
  try {
    check_same(cert, parse_zcert(written, "rewritten"));
  } catch (const error&) {
    FUZZ_CHECK(!"a certificate cafmq wrote does not parse");
  }
  return 0;
}
