// The socket actor's deliveries: batches of received messages to the receiver, never more than
// its credit. Without credit nothing is read: messages stay in the socket's queues under the
// RCVHWM and TCP pushes back on the peer. A DEALER with requests in flight reads for their
// replies and keeps the other messages in a stash of at most batch_max until credit comes.
#include "actors/socket_face.hpp"
#include "runtime/core/tsan_handoff.hpp"

#include "runtime/core/socket_descriptor.hpp"

#include <algorithm>
#include <chrono>

namespace cafmq::actors::face {

bool read_for_replies(pointer self) {
  auto& st = self->state;
  bool moved = false;
  while (st.stash.size() < st.face.batch_max) {
    auto m = st.sock->recv(std::chrono::milliseconds(0));
    if (!m)
      break;
    moved = true;
    if (!answer_request(self, *m))
      st.stash.push_back(received{std::move(*m), st.sock->last_peer()});
  }
  return moved;
}

bool deliver(pointer self) {
  auto& st = self->state;
  if (!descriptor_of(st.type).receives)
    return false;
  bool moved = false;
  bool reading_replies = st.type == socket_type::dealer && !st.requests.empty();
  if (reading_replies)
    moved = read_for_replies(self);
  if (st.credit == 0 || (st.type == socket_type::req && !st.requests.empty()))
    return moved;  // nothing granted; or a REQ's replies belong to its requests
  size_t n = static_cast<size_t>(std::min<uint64_t>(st.credit, st.face.batch_max));
  std::vector<received> batch;
  batch.reserve(n);
  while (!st.stash.empty() && batch.size() < n) {
    batch.push_back(std::move(st.stash.front()));
    st.stash.pop_front();
  }
  if (batch.size() < n && !reading_replies) {
    auto& msgs = st.scratch;
    auto& peers = st.scratch_peers;
    msgs.clear();
    peers.clear();
    try {
      st.sock->recv_batch(msgs, n - batch.size(), &peers);
    } catch (const error& e) {
      if (e.code() != errc::wrong_state)
        throw;  // a REQ before its send, a REP before its reply: not its turn to receive
    }
    for (size_t i = 0; i < msgs.size(); ++i)
      batch.push_back(received{std::move(msgs[i]), std::move(peers[i])});
  }
  if (batch.empty())
    return moved;
  st.credit -= batch.size();
  tsan::release(&tsan::actor_face_handoff);
  caf::unsafe_send_as(self, st.receiver, std::move(batch));  // the sender is this socket actor
  return true;
}

} // namespace cafmq::actors::face
