// For the tests of the CAF actor face (runtime/actor_socket.hpp): asking a socket actor from a
// scoped_actor with a deadline, and collecting the batches it delivers.
#pragma once

#include "runtime/actor_socket.hpp"
#include "runtime/core/tsan_handoff.hpp"

#include <chrono>
#include <vector>

namespace cafmq::test {

/// The answer of `s` to `xs...` within 10 s, or the error (request_timeout past it).
template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const socket_actor& s, Ts&&... xs) {
  caf::expected<T> out{caf::sec::request_timeout};
  tsan::release(&tsan::actor_face_handoff);  // what we built, the socket actor may hand on
  self->request(s, std::chrono::seconds(10), std::forward<Ts>(xs)...)
    .receive([&](T& v) { out = std::move(v); }, [&](caf::error& e) { out = std::move(e); });
  tsan::acquire(&tsan::actor_face_handoff);  // read here, outside CAF's handlers
  return out;
}

/// What collect() saw: the messages in order, and the size of each batch.
struct collected {
  std::vector<received> items;
  std::vector<size_t> batches;
};

/// Receives batches into `into` until it holds `n` messages or `budget` passes.
inline void collect(caf::scoped_actor& self, collected& into, size_t n,
                    std::chrono::milliseconds budget) {
  auto end = std::chrono::steady_clock::now() + budget;
  bool timed_out = false;
  while (into.items.size() < n && !timed_out) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      end - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      break;
    self->receive(
      [&](std::vector<received>& batch) {
        into.batches.push_back(batch.size());
        for (auto& r : batch)
          into.items.push_back(std::move(r));
      },
      caf::after(left) >> [&] { timed_out = true; });
    tsan::acquire(&tsan::actor_face_handoff);  // read after, outside CAF's handlers
  }
}

} // namespace cafmq::test
