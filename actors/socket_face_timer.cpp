// The socket actor's one timer. CAF 0.17 cannot cancel a delayed_send, so a tick is scheduled
// only for a deadline earlier than every tick in flight: with steady timeouts one tick is in
// flight at a time, however many sends and requests wait. Each tick re-arms for the next
// deadline.
#include "actors/socket_face.hpp"

#include <algorithm>
#include <optional>

namespace cafmq::actors::face {

namespace {

// Ticks in flight at most. More than one is in flight only while deadlines keep shrinking (a
// shorter timeout after a longer one); past this bound the earliest tick in flight serves, so
// such a deadline may expire late, never early.
constexpr size_t max_ticks = 8;

std::optional<deadline_clock::time_point> earliest_deadline(const state& st) {
  std::optional<deadline_clock::time_point> out;
  auto consider = [&out](deadline_clock::time_point t) {
    if (!out || t < *out)
      out = t;
  };
  for (const auto& s : st.sends)
    consider(s.deadline);
  for (const auto& r : st.requests)
    if (r.started)
      consider(r.deadline);
  return out;
}

} // namespace

void arm_timer(pointer self) {
  auto& st = self->state;
  auto due = earliest_deadline(st);
  if (!due)
    return;
  bool covered = std::any_of(st.ticks.begin(), st.ticks.end(),
                             [&](const auto& tick) { return tick.second <= *due; });
  if (covered || st.ticks.size() >= max_ticks)
    return;
  auto id = ++st.next_tick;
  st.ticks.emplace_back(id, *due);
  auto delay = std::max(*due - deadline_clock::now(), deadline_clock::duration::zero());
  self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(delay), expire_atom::value,
                     id);
}

void on_tick(pointer self, uint64_t id) {
  auto& st = self->state;
  st.ticks.erase(std::remove_if(st.ticks.begin(), st.ticks.end(),
                                [id](const auto& tick) { return tick.first == id; }),
                 st.ticks.end());
  pump(self);  // what came in time (a reply, room) is taken before anything expires
  auto now = deadline_clock::now();
  bool expired = expire_sends(self, now);
  expired = expire_requests(self, now) || expired;
  arm_timer(self);
  if (expired)
    pump(self);
}

} // namespace cafmq::actors::face
