// The counted prefix subscriptions of one subscriber (SUB/XSUB's local filter): RFC 23 makes
// subscriptions additive and not idempotent, so "A" subscribed twice needs two cancels, and the
// empty prefix matches every message. Built on radix_trie, so nothing here recurses.
#pragma once

#include "patterns/radix_trie.hpp"

#include <cstddef>
#include <string_view>

namespace cafmq::patterns {

/// The longest subscription prefix cafmq accepts, in bytes. Longer ones are refused by the API
/// (cafmq::error invalid_argument) and ignored (and logged) when a peer sends them, so one
/// subscription costs at most this much memory. The tries themselves take any length.
constexpr size_t max_subscription_size = 65536;

/// Throws cafmq::error(invalid_argument) if `prefix` is longer than max_subscription_size.
void check_subscription_size(std::string_view prefix);

/// A multiset of byte-string prefixes.
class subscription_trie {
public:
  /// Adds one count of `prefix`; true if it was not subscribed before (the first count).
  bool add(std::string_view prefix);
  /// Removes one count of `prefix`; true if that was the last count. Removing a prefix that is not
  /// subscribed does nothing (false).
  bool remove(std::string_view prefix);
  /// The count of `prefix` (0 if not subscribed).
  size_t count(std::string_view prefix) const;
  /// True if some subscribed prefix starts `data`.
  bool matches(std::string_view data) const noexcept { return trie_.has_prefix_of(data); }
  /// Number of distinct prefixes.
  size_t size() const noexcept { return trie_.size(); }
  /// Calls f(std::string_view prefix, size_t count) for each prefix.
  template <class F>
  void for_each(F&& f) const {
    trie_.for_each([&](std::string_view p, size_t& n) { f(p, n); });
  }

private:
  mutable radix_trie<size_t> trie_;  // for_each/find are logically const
};

} // namespace cafmq::patterns
