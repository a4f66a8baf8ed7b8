// The basic exchange of every compatible socket-type pair, as data: one table drives the libzmq
// matrix (both sides in this process) and the pyzmq matrix (one side in a python3 child running
// tests/interop/pyzmq_scenario_peer.py), so both check the same conversations.
#pragma once

#include "runtime/core/socket_type.hpp"

#include <string>
#include <vector>

namespace cafmq::test {

using frames = std::vector<std::string>;

/// What one step does. A send_until is always followed by the recv_first that ends it: the
/// sender repeats the message until the receiver has one (a PUB before the subscription
/// arrives, a ROUTER before it knows its peer, drop messages by design). A recv_pumping is a
/// recv while the other side, if it runs in the same thread, keeps calling recv (which must
/// return nothing): a socket takes in a new peer only inside its user's calls, in cafmq as in
/// libzmq, so a bound SUB whose thread is idle has not sent its subscription yet.
enum class step_kind { send, recv, send_until, recv_first, recv_skip, recv_pumping };

struct step {
  char side;        ///< 'a' or 'b'
  step_kind kind;
  frames message;   ///< sent, or expected
  frames skip = {}; ///< recv_skip: repeats of the send_until message to pass over
};

/// A compatible pair; `a` starts the conversation.
struct type_pair {
  socket_type a;
  socket_type b;
};

/// Every compatible pair (RFC 28-31, libzmq's table), STREAM aside.
inline std::vector<type_pair> compatible_pairs() {
  using st = socket_type;
  return {{st::push, st::pull},     {st::pair, st::pair},     {st::req, st::rep},
          {st::req, st::router},    {st::dealer, st::rep},    {st::dealer, st::router},
          {st::dealer, st::dealer}, {st::router, st::router}, {st::pub, st::sub},
          {st::pub, st::xsub},      {st::xpub, st::sub},      {st::xpub, st::xsub}};
}

/// The routing id a side sets (ROUTERs and their peers see it), empty for types without one.
inline std::string routing_id_for(socket_type t, char side) {
  if (t == socket_type::dealer || t == socket_type::router || t == socket_type::req)
    return side == 'a' ? "side-a" : "side-b";
  return {};
}

/// The prefix a SUB side subscribes to before connecting (an XSUB sends it as a step).
inline const char* sub_prefix = "t";

/// The conversation of `p`, multipart throughout.
inline std::vector<step> scenario(type_pair p) {
  using st = socket_type;
  using k = step_kind;
  auto [a, b] = p;
  if (a == st::push)
    return {{'a', k::send, {"one", "two", ""}}, {'b', k::recv, {"one", "two", ""}}};
  if (a == st::pair || (a == st::dealer && b == st::dealer))
    return {{'a', k::send, {"ping", "1"}}, {'b', k::recv, {"ping", "1"}},
            {'b', k::send, {"pong", "2"}}, {'a', k::recv, {"pong", "2"}}};
  if (a == st::req && b == st::rep)
    return {{'a', k::send, {"ask", "more"}}, {'b', k::recv, {"ask", "more"}},
            {'b', k::send, {"answer", "x"}}, {'a', k::recv, {"answer", "x"}}};
  if (a == st::req && b == st::router)  // the REQ's id and empty delimiter show on the ROUTER
    return {{'a', k::send, {"ask"}}, {'b', k::recv, {"side-a", "", "ask"}},
            {'b', k::send, {"side-a", "", "answer"}}, {'a', k::recv, {"answer"}}};
  if (a == st::dealer && b == st::rep)
    return {{'a', k::send, {"", "ask", "more"}}, {'b', k::recv, {"ask", "more"}},
            {'b', k::send, {"answer"}}, {'a', k::recv, {"", "answer"}}};
  if (a == st::dealer && b == st::router)
    return {{'a', k::send, {"ask", "more"}}, {'b', k::recv, {"side-a", "ask", "more"}},
            {'b', k::send, {"side-a", "answer"}}, {'a', k::recv, {"answer"}}};
  if (a == st::router && b == st::router)
    return {{'a', k::send_until, {"side-b", "hello"}},
            {'b', k::recv_first, {"side-a", "hello"}},
            {'b', k::send, {"side-a", "back", "2"}},
            {'a', k::recv, {"side-b", "back", "2"}}};
  // PUB/XPUB -> SUB/XSUB: subscriptions flow upstream, filtered data downstream.
  std::vector<step> s;
  if (b == st::xsub)
    s.push_back({'b', k::send, {"\x01t"}});
  if (a == st::xpub)
    s.push_back({'a', k::recv_pumping, {"\x01t"}});
  s.push_back({'a', k::send_until, {"t0", "body"}});
  s.push_back({'b', k::recv_first, {"t0", "body"}});
  s.push_back({'a', k::send, {"u-not-subscribed"}});
  s.push_back({'a', k::send, {"t1", "last"}});
  s.push_back({'b', k::recv_skip, {"t1", "last"}, {"t0", "body"}});
  return s;
}

/// "CafmqReq_LibzmqRouter_FirstBinds"-style test names.
inline std::string pair_case_name(type_pair p, bool cafmq_is_a, bool a_binds,
                                  const std::string& other) {
  auto side = [&](bool is_a) {
    std::string type(cli_name(is_a ? p.a : p.b));
    type[0] = static_cast<char>(type[0] - 'a' + 'A');
    return std::string(is_a == cafmq_is_a ? "Cafmq" : other) + type;
  };
  return side(true) + "_" + side(false) + (a_binds ? "_FirstBinds" : "_SecondBinds");
}

/// One cell of an interop matrix: a pair, which side cafmq plays, which side binds.
struct matrix_case {
  type_pair types;
  bool cafmq_is_a;  ///< else cafmq plays b
  bool a_binds;     ///< else b binds
};

/// Every compatible pair with cafmq on either side and either side binding.
inline std::vector<matrix_case> matrix_cases() {
  std::vector<matrix_case> out;
  for (auto p : compatible_pairs())
    for (bool cafmq_a : {true, false})
      for (bool a_binds : {true, false})
        out.push_back({p, cafmq_a, a_binds});
  return out;
}

/// A gtest name generator for a matrix against `other` ("Libzmq", "Pyzmq").
inline auto matrix_case_namer(const char* other) {
  return [other](const auto& info) {
    auto& c = info.param;
    return pair_case_name(c.types, c.cafmq_is_a, c.a_binds, other);
  };
}

} // namespace cafmq::test
