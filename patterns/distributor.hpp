// PUB/XPUB's sending half: the attached subscribers with their prefix subscriptions, and the copy
// of each message to every subscriber with a matching prefix. A full subscriber queue drops the
// message for that subscriber only (counted), so a slow subscriber never slows the others; with
// nodrop (ZMQ_XPUB_NODROP) a full matching queue makes the whole send would_block instead; with
// drop_oldest a full subscriber queue discards its oldest messages to take the new one.
#pragma once

#include "patterns/load_balancer.hpp"
#include "patterns/pipe_trie.hpp"
#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace cafmq::patterns {

/// One attached peer of a publisher.
struct subscriber {
  pipe_ptr pipe;
  size_t prefixes = 0;  ///< distinct prefixes this peer holds (0: not subscribed to anything)
  uint64_t mark = 0;    ///< the send that last matched it (de-duplicates overlapping prefixes)
};

class distributor {
public:
  explicit distributor(bool nodrop, bool drop_oldest = false)
    : nodrop_(nodrop), drop_oldest_(drop_oldest) {}

  /// Adds a peer with no subscriptions.
  subscriber& attach(pipe_ptr p);
  /// One more count of `prefix` for `s`.
  subscription_change subscribe(subscriber& s, std::string_view prefix);
  /// One count less; nullopt if `s` did not hold `prefix` (harmless).
  std::optional<subscription_change> unsubscribe(subscriber& s, std::string_view prefix);
  /// Forgets detached peers and their subscriptions; calls f(prefix, count the peer held, total
  /// left) for each subscription removed.
  template <class F>
  void forget_detached(F&& f);

  /// Copies `m` to each peer with a matching subscription (moving it out); would_block (leaving
  /// `m` intact, nothing sent) only with nodrop when a matching peer's queue is full.
  send_result send(message& m);
  /// Before sleeping in send (nodrop): false if the queue that blocked may have room already.
  bool prepare_wait();

  /// The attached peers.
  const std::vector<std::unique_ptr<subscriber>>& peers() const noexcept { return peers_; }
  /// Attached peers holding at least one subscription.
  size_t subscribed_peers() const noexcept;
  /// Messages dropped for a full subscriber queue (drop_oldest: the ones it discarded).
  uint64_t dropped() const noexcept { return dropped_; }

private:
  pipe_trie<subscriber> trie_;
  std::vector<std::unique_ptr<subscriber>> peers_;
  std::vector<subscriber*> matched_;  // reused by every send: no allocation per message
  std::vector<pipe_ptr> blocked_;     // nodrop: the full queues of the last refused send
  uint64_t generation_ = 0;
  uint64_t dropped_ = 0;
  bool nodrop_;
  bool drop_oldest_;
};

template <class F>
void distributor::forget_detached(F&& f) {
  for (size_t i = 0; i < peers_.size();) {
    if (!peers_[i]->pipe->detached()) {
      ++i;
      continue;
    }
    trie_.remove_all(peers_[i].get(), f);
    peers_[i] = std::move(peers_.back());
    peers_.pop_back();
  }
}

} // namespace cafmq::patterns
