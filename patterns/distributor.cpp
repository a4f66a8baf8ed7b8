// Matching and copying. Each matching subscriber gets a whole message in one ring slot (atomic);
// the message is copied (frames shared by reference count) for all but the last, which takes it.
#include "patterns/distributor.hpp"

#include "patterns/drop_oldest.hpp"
#include "patterns/subscription_message.hpp"

namespace cafmq::patterns {

subscriber& distributor::attach(pipe_ptr p) {
  peers_.push_back(std::make_unique<subscriber>());
  peers_.back()->pipe = std::move(p);
  return *peers_.back();
}

subscription_change distributor::subscribe(subscriber& s, std::string_view prefix) {
  auto ch = trie_.add(prefix, &s);
  if (ch.holder_count == 1)
    ++s.prefixes;
  return ch;
}

std::optional<subscription_change> distributor::unsubscribe(subscriber& s, std::string_view prefix) {
  auto ch = trie_.remove(prefix, &s);
  if (ch && ch->holder_count == 0)
    --s.prefixes;
  return ch;
}

size_t distributor::subscribed_peers() const noexcept {
  size_t n = 0;
  for (auto& s : peers_)
    if (s->prefixes > 0 && !s->pipe->detached())
      ++n;
  return n;
}

send_result distributor::send(message& m) {
  ++generation_;
  matched_.clear();
  trie_.match(topic_of(m), [this](subscriber* s) {
    if (s->mark != generation_ && !s->pipe->detached()) {
      s->mark = generation_;
      matched_.push_back(s);
    }
  });
  if (nodrop_) {
    blocked_.clear();
    for (auto* s : matched_)
      if (s->pipe->outbound().full())
        blocked_.push_back(s->pipe);
    if (!blocked_.empty())
      return send_result::would_block;
  }
  auto deliver = [this](pipe& p, message& out) {
    auto& ring = p.outbound();
    if (ring.try_push(out)) {
      ring.flush();
    } else if (drop_oldest_) {
      dropped_ += push_dropping_oldest(p, out);  // its oldest go, the newest is queued
    } else {
      ++dropped_;  // RFC 29: a full subscriber queue silently drops, for that subscriber only
      ++p.dropped;
    }
  };
  for (size_t i = 0; i < matched_.size(); ++i) {
    if (i + 1 == matched_.size()) {
      deliver(*matched_[i]->pipe, m);
    } else {
      message copy{m};
      deliver(*matched_[i]->pipe, copy);
    }
  }
  m.clear();
  return send_result::sent;
}

bool distributor::prepare_wait() {
  if (blocked_.empty())
    return false;
  for (auto& p : blocked_)
    if (p->detached() || !p->outbound().writer_sleep())
      return false;
  return true;
}

} // namespace cafmq::patterns
