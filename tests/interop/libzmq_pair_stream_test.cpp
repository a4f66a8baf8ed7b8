// cafmq against a real libzmq 4.3 peer (C API): PAIR <-> PAIR with cafmq binding or connecting,
// and STREAM <-> ZMQ_STREAM (raw TCP on both sides) with either side binding, bytes both ways.
#include "interop/zmq_peer.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;
using test::frames_of;

constexpr auto budget = 5000ms;

class LibzmqPair : public ::testing::TestWithParam<bool> {};

TEST_P(LibzmqPair, MessagesFlowBothWays) {
  bool cafmq_binds = GetParam();
  zmq::context zctx;
  zmq::socket theirs{zctx, ZMQ_PAIR};
  theirs.set(ZMQ_SNDTIMEO, 10000);
  context cctx;
  socket ours{cctx, socket_type::pair, test::no_linger()};
  if (cafmq_binds) {
    ours.bind("tcp://127.0.0.1:*");
    theirs.connect(ours.last_endpoint());
  } else {
    theirs.bind("tcp://127.0.0.1:*");
    ours.connect(theirs.last_endpoint());
  }
  ASSERT_TRUE(theirs.send({"from libzmq", "", "multipart"}));
  auto m = ours.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), (std::vector<std::string>{"from libzmq", "", "multipart"}));
  ASSERT_TRUE(ours.send(message{"from cafmq", std::string(100 * 1024, 'c')}, budget));
  auto back = theirs.recv(budget);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, (std::vector<std::string>{"from cafmq", std::string(100 * 1024, 'c')}));
}

INSTANTIATE_TEST_SUITE_P(Roles, LibzmqPair, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "CafmqBinds" : "CafmqConnects"; });

// Gathers `n` bytes that a STREAM peer (ours or theirs) receives from one connection; TCP may
// split the bytes over several messages.
template <class Recv>
std::string gather(Recv&& recv, size_t n, std::string& id) {
  std::string got;
  test::deadline d{budget};
  while (got.size() < n && !d.expired()) {
    auto frames = recv(d.remaining());
    if (!frames || frames->size() != 2)
      break;
    if ((*frames)[1].empty())
      continue;  // a connect notification
    id = (*frames)[0];
    got += (*frames)[1];
  }
  return got;
}

class LibzmqStream : public ::testing::TestWithParam<bool> {};

TEST_P(LibzmqStream, RawBytesFlowBothWays) {
  bool cafmq_binds = GetParam();
  zmq::context zctx;
  zmq::socket theirs{zctx, ZMQ_STREAM};
  theirs.set(ZMQ_SNDTIMEO, 10000);
  context cctx;
  socket ours{cctx, socket_type::stream, test::no_linger()};
  if (cafmq_binds) {
    ours.bind("tcp://127.0.0.1:*");
    theirs.connect(ours.last_endpoint());
  } else {
    theirs.bind("tcp://127.0.0.1:*");
    ours.connect(theirs.last_endpoint());
  }
  // Both sides hear of the connection first: [id, ""].
  auto note = ours.recv(budget);
  ASSERT_TRUE(note.has_value());
  ASSERT_EQ(note->size(), 2u);
  EXPECT_TRUE((*note)[1].empty());
  std::string our_id_for_them = (*note)[0].to_string();
  auto their_note = theirs.recv(budget);
  ASSERT_TRUE(their_note.has_value());
  ASSERT_EQ(their_note->size(), 2u);
  EXPECT_TRUE((*their_note)[1].empty());
  std::string their_id_for_us = (*their_note)[0];

  std::string request = "cafmq -> libzmq: " + test::patterned(70 * 1024, 1);
  ASSERT_TRUE(ours.send(message{our_id_for_them, request}, budget));
  std::string from;
  auto recv_theirs = [&](std::chrono::milliseconds t) { return theirs.recv(t); };
  EXPECT_EQ(gather(recv_theirs, request.size(), from), request);
  EXPECT_EQ(from, their_id_for_us);

  std::string reply = "libzmq -> cafmq: " + test::patterned(70 * 1024, 2);
  ASSERT_TRUE(theirs.send({their_id_for_us, reply}));
  auto recv_ours = [&](std::chrono::milliseconds t) -> std::optional<std::vector<std::string>> {
    auto m = ours.recv(t);
    if (!m)
      return std::nullopt;
    return frames_of(*m);
  };
  EXPECT_EQ(gather(recv_ours, reply.size(), from), reply);
  EXPECT_EQ(from, our_id_for_them);
}

INSTANTIATE_TEST_SUITE_P(Roles, LibzmqStream, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "CafmqBinds" : "CafmqConnects"; });

} // namespace
} // namespace cafmq
