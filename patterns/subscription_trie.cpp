// Counting on top of the radix trie: a prefix is stored while its count is above zero.
#include "patterns/subscription_trie.hpp"

#include "runtime/core/error.hpp"

#include <string>

namespace cafmq::patterns {

void check_subscription_size(std::string_view prefix) {
  if (prefix.size() > max_subscription_size)
    throw error{errc::invalid_argument, "a subscription of " + std::to_string(prefix.size())
                                          + " bytes is longer than the limit of "
                                          + std::to_string(max_subscription_size) + " bytes"};
}

bool subscription_trie::add(std::string_view prefix) {
  return ++trie_.insert(prefix) == 1;
}

bool subscription_trie::remove(std::string_view prefix) {
  size_t* n = trie_.find(prefix);
  if (n == nullptr)
    return false;
  if (--*n > 0)
    return false;
  trie_.erase(prefix);
  return true;
}

size_t subscription_trie::count(std::string_view prefix) const {
  size_t* n = trie_.find(prefix);
  return n != nullptr ? *n : 0;
}

} // namespace cafmq::patterns
