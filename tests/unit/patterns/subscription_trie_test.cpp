// The counted prefix trie (subscription_trie over radix_trie): RFC 23 counting, prefix and empty
// prefix matching, the subscription length bound, and no recursion: a 1 MiB topic and a trie
// 32768 levels deep are inserted, matched, enumerated and removed on a thread with a 64 KiB
// stack, where recursion per byte or per level would overflow and crash the test binary.
#include "patterns/pipe_trie.hpp"
#include "patterns/subscription_trie.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

#include <pthread.h>

#include <functional>
#include <map>
#include <set>
#include <string>

using namespace cafmq;
using namespace cafmq::patterns;

namespace {

// Runs `f` on a thread whose stack is `stack_bytes` (recursion deeper than a few hundred frames
// would overflow it).
void run_on_small_stack(size_t stack_bytes, std::function<void()> f) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t t;
  auto body = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, body, &f), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

std::map<std::string, size_t> contents(const subscription_trie& t) {
  std::map<std::string, size_t> out;
  t.for_each([&](std::string_view p, size_t n) { out[std::string(p)] = n; });
  return out;
}

TEST(SubscriptionTrie, EmptyTrieMatchesNothing) {
  subscription_trie t;
  EXPECT_FALSE(t.matches(""));
  EXPECT_FALSE(t.matches("anything"));
  EXPECT_EQ(t.size(), 0u);
}

TEST(SubscriptionTrie, PrefixMatchesMessagesStartingWithIt) {
  subscription_trie t;
  t.add("AB");
  EXPECT_TRUE(t.matches("AB"));
  EXPECT_TRUE(t.matches("ABC"));
  EXPECT_FALSE(t.matches("A"));
  EXPECT_FALSE(t.matches("B"));
  EXPECT_FALSE(t.matches("AC"));
}

TEST(SubscriptionTrie, EmptyPrefixMatchesEverything) {
  subscription_trie t;
  EXPECT_TRUE(t.add(""));
  EXPECT_TRUE(t.matches(""));
  EXPECT_TRUE(t.matches("xyz"));
  EXPECT_TRUE(t.remove(""));
  EXPECT_FALSE(t.matches("xyz"));
}

TEST(SubscriptionTrie, TwoSubscribesNeedTwoCancels) {
  subscription_trie t;
  EXPECT_TRUE(t.add("A"));
  EXPECT_FALSE(t.add("A"));
  EXPECT_EQ(t.count("A"), 2u);
  EXPECT_FALSE(t.remove("A"));
  EXPECT_TRUE(t.matches("A1"));
  EXPECT_TRUE(t.remove("A"));
  EXPECT_FALSE(t.matches("A1"));
  EXPECT_EQ(t.size(), 0u);
}

TEST(SubscriptionTrie, CancellingWhatWasNeverSubscribedIsHarmless) {
  subscription_trie t;
  t.add("AB");
  EXPECT_FALSE(t.remove("A"));
  EXPECT_FALSE(t.remove("ABC"));
  EXPECT_FALSE(t.remove("zz"));
  EXPECT_EQ(t.count("AB"), 1u);
  EXPECT_TRUE(t.matches("ABX"));
}

TEST(SubscriptionTrie, OverlappingPrefixesSplitAndMergeEdges) {
  subscription_trie t;
  for (auto p : {"abcdef", "abc", "abx", "b", "abcdeg", ""})
    t.add(p);
  EXPECT_EQ(contents(t), (std::map<std::string, size_t>{
                           {"", 1}, {"abc", 1}, {"abcdef", 1}, {"abcdeg", 1}, {"abx", 1}, {"b", 1}}));
  t.remove("");
  t.remove("abc");
  EXPECT_FALSE(t.matches("abcd"));
  EXPECT_TRUE(t.matches("abcdeg!"));
  EXPECT_TRUE(t.matches("abxy"));
  t.remove("abx");
  t.remove("abcdeg");
  EXPECT_EQ(contents(t), (std::map<std::string, size_t>{{"abcdef", 1}, {"b", 1}}));
  EXPECT_TRUE(t.matches("abcdefg"));
  EXPECT_FALSE(t.matches("abcde"));
}

TEST(SubscriptionTrie, BinaryPrefixesWithZeroBytes) {
  subscription_trie t;
  std::string a("\0\x01\xff", 3), b("\0\x02", 2);
  t.add(a);
  t.add(b);
  EXPECT_TRUE(t.matches(a + "x"));
  EXPECT_TRUE(t.matches(b));
  EXPECT_FALSE(t.matches(std::string("\0", 1)));
}

TEST(SubscriptionTrie, SubscriptionLongerThanTheBoundIsRejected) {
  EXPECT_NO_THROW(check_subscription_size(std::string(max_subscription_size, 'x')));
  try {
    check_subscription_size(std::string(max_subscription_size + 1, 'x'));
    FAIL() << "no error for a subscription above the bound";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("65536"), std::string::npos) << e.what();
  }
}

TEST(SubscriptionTrie, OneMebibyteTopicNeverRecurses) {
  bool matched = false, gone = false;
  size_t enumerated = 0;
  run_on_small_stack(64 * 1024, [&] {
    std::string topic(1 << 20, 'T');
    subscription_trie t;
    t.add(topic);
    t.add(topic.substr(0, 1000));
    matched = t.matches(topic + "!");
    t.for_each([&](std::string_view p, size_t) { enumerated += p.size(); });
    t.remove(topic);
    t.remove(topic.substr(0, 1000));
    gone = !t.matches(topic);
  });
  EXPECT_TRUE(matched);
  EXPECT_EQ(enumerated, (1u << 20) + 1000u);
  EXPECT_TRUE(gone);
}

// 8192 levels on a 64 KiB stack: a recursive walk would need at least 32 bytes a level (return
// address and saved registers), 256 KiB in all, and crash. (Deeper only costs time: the keys'
// bytes grow with the square of the depth, and the sanitizer build runs this too.)
TEST(SubscriptionTrie, TrieEightThousandLevelsDeepNeverRecurses) {
  constexpr size_t depth = 8192;
  size_t matched = 0, enumerated = 0, left = 1;
  run_on_small_stack(64 * 1024, [&] {
    std::string s(depth, 'a');
    subscription_trie t;
    for (size_t len = depth; len >= 1; --len)  // longest first: each insert splits one edge
      t.add(std::string_view(s).substr(0, len));
    EXPECT_TRUE(t.matches(s));
    t.for_each([&](std::string_view, size_t) { ++enumerated; });
    patterns::pipe_trie<int> holders;
    int h = 0;
    holders.add(s, &h);
    holders.match(s + "b", [&](int*) { ++matched; });
    holders.remove_all(&h, [](std::string_view, size_t, size_t) {});
    for (size_t len = 1; len <= depth; ++len)  // shortest first: each removal folds one edge
      t.remove(std::string_view(s).substr(0, len));
    left = t.size();
  });
  EXPECT_EQ(enumerated, depth);
  EXPECT_EQ(matched, 1u);
  EXPECT_EQ(left, 0u);
}

TEST(SubscriptionTrie, DestroyingADeepTrieNeverRecurses) {
  bool done = false;
  run_on_small_stack(64 * 1024, [&] {
    std::string s(8192, 'q');
    {
      subscription_trie t;
      for (size_t len = s.size(); len >= 1; --len)
        t.add(std::string_view(s).substr(0, len));
    }  // destroyed here, on the small stack
    done = true;
  });
  EXPECT_TRUE(done);
}

TEST(PipeTrie, CountsPerHolderAndInTotal) {
  pipe_trie<int> t;
  int a = 0, b = 0;
  auto c1 = t.add("X", &a);
  EXPECT_EQ(c1.holder_count, 1u);
  EXPECT_EQ(c1.total, 1u);
  auto c2 = t.add("X", &a);
  EXPECT_EQ(c2.holder_count, 2u);
  auto c3 = t.add("X", &b);
  EXPECT_EQ(c3.holder_count, 1u);
  EXPECT_EQ(c3.total, 3u);
  EXPECT_FALSE(t.remove("Y", &a).has_value());
  int stranger = 0;
  EXPECT_FALSE(t.remove("X", &stranger).has_value());
  auto r = t.remove("X", &a);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->holder_count, 1u);
  EXPECT_EQ(r->total, 2u);
  size_t calls = 0;
  t.remove_all(&a, [&](std::string_view p, size_t held, size_t left) {
    ++calls;
    EXPECT_EQ(p, "X");
    EXPECT_EQ(held, 1u);
    EXPECT_EQ(left, 1u);
  });
  EXPECT_EQ(calls, 1u);
  std::vector<int*> seen;
  t.match("Xyz", [&](int* h) { seen.push_back(h); });
  EXPECT_EQ(seen, std::vector<int*>{&b});
}

TEST(PipeTrie, MatchNamesHoldersOfEveryMatchingPrefix) {
  pipe_trie<int> t;
  int a = 0, b = 0;
  t.add("", &a);
  t.add("AB", &a);
  t.add("A", &b);
  t.add("B", &b);
  std::multiset<int*> seen;
  t.match("ABC", [&](int* h) { seen.insert(h); });
  EXPECT_EQ(seen.count(&a), 2u);
  EXPECT_EQ(seen.count(&b), 1u);
}

} // namespace
