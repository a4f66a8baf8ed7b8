// The peer's greeting (net/greeting): the input is the bytes a peer sends first, judged for each
// of our mechanisms at every length from 0 to the whole input, as the engine judges it while the
// bytes trickle in. Invariants: a verdict never changes once given (failed stays failed, with the
// same reason; ok stays ok), ok needs all 64 bytes, all 64 bytes always give a verdict, and the
// minor version read from bytes 10/11 does not change as more arrive. Our own greetings pass.
#include "fuzz_support.hpp"

#include "net/greeting.hpp"

#include <algorithm>

using namespace cafmq;
using status = net::greeting_check::status;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string_view mechanisms[] = {"NULL", "PLAIN", "CURVE"};
  for (auto mech : mechanisms) {
    auto ours = net::make_greeting(mech, false);
    FUZZ_CHECK(net::check_greeting(ours.data(), ours.size(), mech).state == status::ok);

    size_t n_max = std::min(size, net::greeting_size + 8);
    net::greeting_check first_verdict;
    for (size_t n = 0; n <= n_max; ++n) {
      auto r = net::check_greeting(data, n, mech);
      if (r.state == status::ok)
        FUZZ_CHECK(n >= net::greeting_size);
      if (n >= net::greeting_size)
        FUZZ_CHECK(r.state != status::need_more);
      if (r.state == status::failed)
        FUZZ_CHECK(!r.error.empty());
      if (first_verdict.state != status::need_more) {
        FUZZ_CHECK(r.state == first_verdict.state);
        FUZZ_CHECK(r.error == first_verdict.error);
        if (r.state == status::ok)
          FUZZ_CHECK(r.minor == first_verdict.minor && r.as_server == first_verdict.as_server);
      } else if (r.state != status::need_more) {
        first_verdict = r;
      }
      if (r.state != status::failed && n >= 12)
        FUZZ_CHECK(r.minor == ((data[10] == 3 && data[11] == 0) ? 0 : 1));
    }
  }
  return 0;
}
