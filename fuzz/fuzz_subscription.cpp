// Subscriptions (patterns/subscription_trie, pipe_trie, subscription_message.hpp) checked against
// a plain std::map model. Input: operations, each an op byte (low 3 bits the kind, bits 4-5 one
// of 4 subscribers) and a string (length byte modulo 17, then bytes):
//   0 subscribe, 1 cancel, 2 match a topic, 3 a one-frame message as a SUB receives it (0x01/0x00
//   + prefix subscribes/cancels, anything else is data to match), 4 drop a subscriber (remove_all).
// Invariants: counts, matches and holder sets equal the model's after every step (RFC 23:
// additive, not idempotent; the empty prefix matches everything); subscription messages
// round-trip; after cancelling everything subscribed, nothing is left and nothing matches.
#include "fuzz_support.hpp"

#include "patterns/pipe_trie.hpp"
#include "patterns/subscription_message.hpp"
#include "patterns/subscription_trie.hpp"

#include <map>
#include <set>
#include <string>

using namespace cafmq;
using namespace cafmq::patterns;

namespace {

struct subscriber {};

struct model {
  std::map<std::string, size_t> counts;                    // the SUB's own filter
  std::map<std::string, std::map<const subscriber*, size_t>> held;  // the PUB's view

  bool matches(std::string_view topic) const {
    for (auto& [prefix, n] : counts)
      if (topic.substr(0, prefix.size()) == prefix)
        return true;
    return false;
  }
  std::set<const subscriber*> holders_of(std::string_view topic) const {
    std::set<const subscriber*> out;
    for (auto& [prefix, by] : held)
      if (topic.substr(0, prefix.size()) == prefix)
        for (auto& [who, n] : by)
          out.insert(who);
    return out;
  }
};

struct state {
  subscription_trie trie;
  pipe_trie<subscriber> pipes;
  subscriber subs[4];
  model m;

  void subscribe(std::string_view prefix, subscriber* who) {
    auto& n = m.counts[std::string(prefix)];
    FUZZ_CHECK(trie.add(prefix) == (n == 0));
    ++n;
    auto& mine = m.held[std::string(prefix)][who];
    ++mine;
    auto ch = pipes.add(prefix, who);
    FUZZ_CHECK(ch.holder_count == mine);
  }

  void cancel(std::string_view prefix, subscriber* who) {
    auto it = m.counts.find(std::string(prefix));
    FUZZ_CHECK(trie.remove(prefix) == (it != m.counts.end() && it->second == 1));
    if (it != m.counts.end() && --it->second == 0)
      m.counts.erase(it);
    auto ch = pipes.remove(prefix, who);
    auto h = m.held.find(std::string(prefix));
    if (h == m.held.end() || !h->second.count(who)) {
      FUZZ_CHECK(!ch.has_value());
      return;
    }
    FUZZ_CHECK(ch.has_value() && ch->holder_count == h->second[who] - 1);
    if (--h->second[who] == 0)
      h->second.erase(who);
    size_t total = 0;
    for (auto& [w, n] : h->second)
      total += n;
    FUZZ_CHECK(ch->total == total);
    if (h->second.empty())
      m.held.erase(h);
  }

  void match(std::string_view topic) {
    FUZZ_CHECK(trie.matches(topic) == m.matches(topic));
    auto it = m.counts.find(std::string(topic));
    FUZZ_CHECK(trie.count(topic) == (it == m.counts.end() ? 0 : it->second));
    std::set<const subscriber*> got;
    pipes.match(topic, [&](subscriber* s) { got.insert(s); });
    FUZZ_CHECK(got == m.holders_of(topic));
  }

  void drop(subscriber* who) {
    pipes.remove_all(who, [&](std::string_view prefix, size_t count, size_t left) {
      auto h = m.held.find(std::string(prefix));
      FUZZ_CHECK(h != m.held.end() && h->second.count(who) && h->second[who] == count);
      h->second.erase(who);
      size_t total = 0;
      for (auto& [w, n] : h->second)
        total += n;
      FUZZ_CHECK(left == total);
      if (h->second.empty())
        m.held.erase(h);
    });
    for (auto& [prefix, by] : m.held)
      FUZZ_CHECK(!by.count(who));
  }

  void check_sizes() {
    FUZZ_CHECK(trie.size() == m.counts.size());
    FUZZ_CHECK(pipes.size() == m.held.size());
    std::map<std::string, size_t> listed;
    trie.for_each([&](std::string_view p, size_t n) { listed[std::string(p)] = n; });
    FUZZ_CHECK(listed == m.counts);
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  state s;
  fuzz::cursor in{data, size};
  std::vector<std::string> seen;  // every string used, matched again at the end
  while (!in.empty()) {
    uint8_t op = in.byte();
    subscriber* who = &s.subs[(op >> 4) & 3];
    std::string text(in.take(in.byte() % 17));
    seen.push_back(text);
    switch (op & 7) {
      case 0:
      case 1: {
        auto msg = subscription_message(text, (op & 7) == 0);
        FUZZ_CHECK(is_subscription(msg) && is_subscribe(msg) == ((op & 7) == 0));
        FUZZ_CHECK(prefix_of(msg) == text && topic_of(msg).substr(1) == text);
        if ((op & 7) == 0)
          s.subscribe(text, who);
        else
          s.cancel(text, who);
        break;
      }
      case 2:
        s.match(text);
        break;
      case 3: {
        message msg{frame{text}};
        FUZZ_CHECK(topic_of(msg) == text);
        FUZZ_CHECK(is_subscription(msg) == (!text.empty() && static_cast<uint8_t>(text[0]) <= 1));
        if (!is_subscription(msg))
          s.match(topic_of(msg));
        else if (is_subscribe(msg))
          s.subscribe(prefix_of(msg), who);
        else
          s.cancel(prefix_of(msg), who);
        break;
      }
      case 4:
        s.drop(who);
        break;
      default:
        s.match(text);
    }
    s.check_sizes();
  }
  for (auto& t : seen)
    s.match(t);

  // Cancel everything subscribed: nothing is left, nothing matches.
  auto counts = s.m.counts;
  for (auto& [prefix, n] : counts)
    for (size_t i = 0; i < n; ++i)
      FUZZ_CHECK(s.trie.remove(prefix) == (i + 1 == n));
  for (auto& who : s.subs)
    s.pipes.remove_all(&who, [](std::string_view, size_t, size_t) {});
  FUZZ_CHECK(s.trie.size() == 0 && s.pipes.size() == 0);
  FUZZ_CHECK(!s.trie.matches(""));
  for (auto& t : seen) {
    FUZZ_CHECK(!s.trie.matches(t));
    size_t holders = 0;
    s.pipes.match(t, [&](subscriber*) { ++holders; });
    FUZZ_CHECK(holders == 0);
  }
  return 0;
}
