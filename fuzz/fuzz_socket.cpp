// End to end: the input is what a hostile peer writes to a bound cafmq socket over a real TCP
// connection, while a legitimate peer keeps exchanging messages with that socket. This reaches
// what the sans-I/O targets cannot: the engine's read loop, the handshake timer, the pipes, the
// session actors and the supervisor that drops the bad connection.
//
// Input layout: byte 0 picks the bound socket (bits 0-1: PULL, ROUTER, PUB) and what precedes
// the fuzzed bytes (bits 2-3: nothing; a NULL greeting; a NULL greeting and a READY naming a
// compatible type, so the bytes reach the frame decoder and the pattern). The rest is written
// as is, then our side of the connection is shut down for writing.
//
// Invariants: the socket closes the hostile connection within a bounded time once it has seen
// our end of stream (never hangs on it), and the legitimate peer's next message arrives, in
// order, within a bounded time (one bad peer never hurts another).
#include "fuzz_support.hpp"
#include "runtime/context.hpp"
#include "runtime/socket.hpp"
#include "support/deadline.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include <chrono>
#include <memory>
#include <string>

#include <sys/socket.h>

namespace {

using namespace std::chrono_literals;
using cafmq::message;
using cafmq::socket;
using cafmq::socket_type;
namespace test = cafmq::test;

constexpr auto close_budget = 5s;    // sanitizers and a loaded machine make everything slower
constexpr auto deliver_budget = 5s;

cafmq::socket_options quick_options() {
  cafmq::socket_options o;
  o.linger_ms = 0;
  o.handshake_ivl_ms = 1000;  // a stalled handshake is dropped well inside close_budget
  return o;
}

/// A bound socket under attack and a legitimate peer connected to it.
struct target {
  target(cafmq::context& ctx, socket_type bound_type, socket_type peer_type, std::string ready)
      : bound(ctx, bound_type, quick_options()), peer(ctx, peer_type, quick_options()),
        ready_type(std::move(ready)) {
    bound.bind("tcp://127.0.0.1:*");
    peer.connect(bound.last_endpoint());
  }
  socket bound;
  socket peer;
  std::string ready_type;  ///< a type the bound socket accepts, for the READY prefix
  uint64_t sequence = 0;
};

/// The legitimate exchange of one round: the peer's message `text` must come out of the bound
/// socket (PULL, ROUTER) or the bound socket's message must reach the peer (PUB to SUB).
/// Messages the hostile connection got delivered (it may speak valid ZMTP, and may even have
/// learnt an old "legit-N" from libFuzzer's comparison tracing) are skipped.
bool legit_round(target& t, socket_type type) {
  std::string text = "legit-" + std::to_string(t.sequence++);
  auto d = test::deadline{std::chrono::duration_cast<std::chrono::milliseconds>(deliver_budget)};
  socket& sender = type == socket_type::pub ? t.bound : t.peer;
  socket& receiver = type == socket_type::pub ? t.peer : t.bound;
  if (!sender.send(message{text}, d.remaining()))
    return false;
  for (;;) {
    auto m = receiver.recv(d.remaining());
    if (!m)
      return false;
    if ((*m)[m->size() - 1].view() == text)
      return true;
  }
}

struct world {
  cafmq::context ctx;
  target pull{ctx, socket_type::pull, socket_type::push, "PUSH"};
  target router{ctx, socket_type::router, socket_type::dealer, "DEALER"};
  target pub{ctx, socket_type::pub, socket_type::sub, "SUB"};

  world() {
    pub.peer.subscribe("legit-");
    // The first round proves the setup; a PUB drops until the subscription has arrived.
    FUZZ_CHECK(pub.bound.wait_subscribers(1, std::chrono::milliseconds{10000}));
  }
};

world& the_world() {
  static auto* w = new world;  // lives for the whole run; the process exit reclaims it
  return *w;
}

} // namespace

// A frame may declare any size (maxmsgsize is unlimited by default): an allocation that cannot
// be made must fail as std::bad_alloc, which drops that connection, as it does without ASan.
// Above 512 MiB, ASan refuses the allocation (returns null): ASan writes the shadow of whatever
// it hands out, so a declared 17 GiB frame cost 2 GiB of resident shadow and tripped libFuzzer's
// RSS limit, though without ASan the untouched pages would cost nothing. Refused, it takes the
// bad_alloc path instead: the connection is dropped ("cannot allocate N bytes for a frame").
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1:max_allocation_size_mb=512";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  world& w = the_world();
  uint8_t mode = data[0];
  socket_type type = socket_type::pull;
  target* t = &w.pull;
  if ((mode & 3) == 1) {
    type = socket_type::router;
    t = &w.router;
  } else if ((mode & 3) == 2) {
    type = socket_type::pub;
    t = &w.pub;
  }

  test::bytes wire;
  int prefix = (mode >> 2) & 3;
  if (prefix >= 1)
    wire = test::zmtp::greeting("NULL");
  if (prefix >= 2) {
    auto ready = test::zmtp::ready_socket_type(t->ready_type);
    wire.insert(wire.end(), ready.begin(), ready.end());
  }
  wire.insert(wire.end(), data + 1, data + size);

  {
    auto hostile = test::raw_client::connect(t->bound.last_endpoint(), std::chrono::seconds{5});
    hostile.send_all(wire);  // false if the socket has already dropped us: fine
    ::shutdown(hostile.fd(), SHUT_WR);
    FUZZ_CHECK(hostile.wait_closed(
        std::chrono::duration_cast<std::chrono::milliseconds>(close_budget)));
  }
  FUZZ_CHECK(legit_round(*t, type));
  return 0;
}
