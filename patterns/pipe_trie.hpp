// The publisher's subscriptions: prefix -> the subscribers (pipes) holding it, counted per
// subscriber (RFC 23: "A" twice from one peer needs two cancels from it), plus the total over all
// subscribers, which decides what XPUB reports upstream. Nothing here recurses (radix_trie).
#pragma once

#include "patterns/radix_trie.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cafmq::patterns {

/// Counts after a change of one subscriber's subscription to one prefix.
struct subscription_change {
  size_t holder_count = 0;  ///< the subscriber's count of the prefix after the change
  size_t total = 0;         ///< all subscribers' counts of the prefix after the change
};

template <class Holder>
class pipe_trie {
public:
  /// One more count of `prefix` for `h`.
  subscription_change add(std::string_view prefix, Holder* h) {
    holders& hs = trie_.insert(prefix);
    ++hs.total;
    for (auto& [who, n] : hs.by)
      if (who == h)
        return {++n, hs.total};
    hs.by.emplace_back(h, 1);
    return {1, hs.total};
  }

  /// One count less of `prefix` for `h`; nullopt (and no change) if `h` does not hold it.
  std::optional<subscription_change> remove(std::string_view prefix, Holder* h) {
    holders* hs = trie_.find(prefix);
    if (hs == nullptr)
      return std::nullopt;
    for (size_t i = 0; i < hs->by.size(); ++i) {
      if (hs->by[i].first != h)
        continue;
      subscription_change ch{--hs->by[i].second, --hs->total};
      if (ch.holder_count == 0) {
        hs->by[i] = hs->by.back();
        hs->by.pop_back();
      }
      if (ch.total == 0)
        trie_.erase(prefix);
      return ch;
    }
    return std::nullopt;
  }

  /// Calls f(Holder*) for each holder of each prefix of `data` (a holder of several matching
  /// prefixes is named once per prefix: the caller de-duplicates).
  template <class F>
  void match(std::string_view data, F&& f) {
    trie_.for_each_prefix_of(data, [&](holders& hs) {
      for (auto& entry : hs.by)
        f(entry.first);
    });
  }

  /// Removes all of `h`'s subscriptions; calls f(prefix, count h held, total left) for each.
  template <class F>
  void remove_all(Holder* h, F&& f) {
    std::vector<std::pair<std::string, size_t>> held;
    trie_.for_each([&](std::string_view prefix, holders& hs) {
      for (auto& entry : hs.by)
        if (entry.first == h)
          held.emplace_back(std::string(prefix), entry.second);
    });
    for (auto& [prefix, count] : held) {
      holders* hs = trie_.find(prefix);
      for (size_t i = 0; i < hs->by.size(); ++i)
        if (hs->by[i].first == h) {
          hs->by[i] = hs->by.back();
          hs->by.pop_back();
          break;
        }
      hs->total -= count;
      size_t left = hs->total;
      if (left == 0)
        trie_.erase(prefix);
      f(std::string_view{prefix}, count, left);
    }
  }

  /// Number of distinct prefixes held by anyone.
  size_t size() const noexcept { return trie_.size(); }

private:
  struct holders {
    std::vector<std::pair<Holder*, size_t>> by;
    size_t total = 0;
  };
  radix_trie<holders> trie_;
};

} // namespace cafmq::patterns
