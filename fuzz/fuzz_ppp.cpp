// Paranoid Pirate (RFC 6): messages classified as the queue and the worker see them
// (patterns/ppp_command), and the queue's worker registry (patterns/ppp_worker_registry) driven
// by what those messages say. Input: steps, each an op byte and a message (a frame count byte
// modulo 6, then frames of a length byte modulo 9 and its bytes). The op's low bits pick the
// worker id (one of 4), bit 2 the direction (from a worker / from the queue), bits 3-7 how many
// milliseconds pass before the step.
// Invariants: a classification is malformed exactly when it names a fault; READY/HEARTBEAT are
// one one-byte frame; a request/reply's body starts right after an empty frame and is not
// empty; the queue never gets READY from the queue side; the registry's idle workers are a
// subset of its workers, take() gives only idle, unexpired ones, and expire() leaves none due.
#include "fuzz_support.hpp"

#include "patterns/ppp_command.hpp"
#include "patterns/ppp_worker_registry.hpp"

#include <set>
#include <string>

using namespace cafmq;
using namespace cafmq::patterns;
using namespace std::chrono_literals;

namespace {

message read_message(fuzz::cursor& in) {
  message m;
  size_t frames = in.byte() % 6;
  for (size_t i = 0; i < frames; ++i)
    m.add(frame{in.take(in.byte() % 9)});
  return m;
}

void check(const message& m, const ppp::classified& c, bool from_worker) {
  FUZZ_CHECK((c.what == ppp::kind::malformed) == (c.why != ppp::fault::none));
  switch (c.what) {
    case ppp::kind::ready:
      FUZZ_CHECK(from_worker);
      [[fallthrough]];
    case ppp::kind::heartbeat:
      FUZZ_CHECK(m.size() == 1 && m[0].size() == 1);
      break;
    case ppp::kind::request:
    case ppp::kind::reply:
      FUZZ_CHECK((c.what == ppp::kind::reply) == from_worker);
      FUZZ_CHECK(c.body_at >= 1 && c.body_at < m.size() && m[c.body_at - 1].size() == 0);
      for (size_t i = 0; i + 1 < c.body_at; ++i)
        FUZZ_CHECK(m[i].size() != 0);  // the first empty frame is the delimiter
      break;
    case ppp::kind::malformed:
      FUZZ_CHECK(c.why != ppp::fault::empty || m.empty());
      break;
  }
}

void check_registry(const ppp::worker_registry& r) {
  auto idle = r.idle();
  FUZZ_CHECK(idle.size() == r.idle_count() && idle.size() <= r.size());
  std::set<std::string> distinct(idle.begin(), idle.end());
  FUZZ_CHECK(distinct.size() == idle.size());
  for (auto& id : idle)
    FUZZ_CHECK(r.state(id) == ppp::worker_state::idle);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ppp::timing t;
  t.interval = 10ms;
  ppp::worker_registry registry{t};
  ppp::time_point now{};
  fuzz::cursor in{data, size};
  while (!in.empty()) {
    uint8_t op = in.byte();
    std::string id = "w" + std::to_string(op & 3);
    bool from_worker = (op & 4) == 0;
    now += std::chrono::milliseconds{op >> 3};
    message m = read_message(in);
    auto c = from_worker ? ppp::classify_from_worker(m) : ppp::classify_from_queue(m);
    check(m, c, from_worker);
    FUZZ_CHECK(ppp::to_string(c.why) != nullptr && ppp::to_string(c.what) != nullptr);
    if (from_worker) {
      bool known = registry.contains(id);
      if (c.what == ppp::kind::ready)
        registry.ready(id, now);
      else if (c.what == ppp::kind::heartbeat)
        FUZZ_CHECK(registry.heartbeat(id, now) == known);
      else if (c.what == ppp::kind::reply)
        FUZZ_CHECK(registry.reply(id, now) == known);
    } else if (c.what == ppp::kind::request) {
      if (auto taken = registry.take(now))
        FUZZ_CHECK(registry.state(*taken) == ppp::worker_state::busy);
    } else {
      for (auto& dead : registry.expire(now))
        FUZZ_CHECK(!registry.contains(dead));
      auto next = registry.next_expiry();
      FUZZ_CHECK(!next || *next > now);
    }
    check_registry(registry);
  }
  return 0;
}
