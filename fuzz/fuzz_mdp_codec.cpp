// MDP/0.1 (RFC 7) parsing (patterns/mdp_codec) from the network. Input: one message as ZMTP
// frames (the MORE flag is ignored: every frame belongs to it), read by each of the three readers
// (a broker's ROUTER, a worker's DEALER, a client's DEALER and REQ).
// Invariants: no reader crashes; what a reader accepts, the matching builder rebuilds frame for
// frame (so a valid message loses nothing and a parsed message is never half-filled).
#include "fuzz_support.hpp"

#include "patterns/envelope.hpp"
#include "patterns/mdp_codec.hpp"

using namespace cafmq;
using namespace cafmq::patterns;
using namespace cafmq::patterns::mdp;

namespace {

message prefixed(const message& head, const message& rest) {
  message m;
  append_frames(m, head);
  append_frames(m, rest);
  return m;
}

void check_broker(const message& in) {
  broker_inbound b;
  if (parse_broker_inbound(in, b) != fault::none)
    return;
  FUZZ_CHECK(!b.sender.empty());
  if (!b.from_worker) {
    FUZZ_CHECK(prefixed(b.sender, client_request(b.client.service, b.client.body, true)) == in);
    return;
  }
  const worker_message& w = b.worker;
  switch (w.cmd) {
    case command::ready: FUZZ_CHECK(prefixed(b.sender, worker_ready(w.service)) == in); break;
    case command::reply: FUZZ_CHECK(prefixed(b.sender, worker_reply(w.client, w.body)) == in); break;
    case command::heartbeat:
    case command::disconnect: FUZZ_CHECK(prefixed(b.sender, worker_signal(w.cmd)) == in); break;
    case command::request: FUZZ_CHECK(false); break;  // a broker never accepts REQUEST
  }
}

void check_worker(const message& in) {
  worker_message w;
  if (parse_worker_inbound(in, w) != fault::none)
    return;
  FUZZ_CHECK(w.cmd == command::request || w.cmd == command::heartbeat
             || w.cmd == command::disconnect);
  if (w.cmd == command::request)
    FUZZ_CHECK(broker_request(message{}, w.client, w.body) == in);
  else
    FUZZ_CHECK(broker_signal(message{}, w.cmd) == in);
}

void check_client(const message& in, bool dealer) {
  client_message c;
  if (parse_client_reply(in, dealer, c) != fault::none)
    return;
  message rebuilt = broker_reply(message{}, c.service, c.body);  // "" MDPC01 service body...
  if (!dealer) {
    message without_delimiter;
    append_frames(without_delimiter, rebuilt, 1);
    rebuilt = std::move(without_delimiter);
  }
  FUZZ_CHECK(rebuilt == in);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  message in;
  for (auto& f : fuzz::split_frames(data, size))
    in.add(frame{f.body.data(), f.body.size()});
  check_broker(in);
  check_worker(in);
  check_client(in, true);
  check_client(in, false);
  return 0;
}
