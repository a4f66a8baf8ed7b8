// A byte-string radix trie (compressed edges) mapping keys to values, without recursion anywhere:
// insert, erase, prefix walk and enumeration use loops and explicit stacks, and nodes live in one
// vector, so even destruction is flat. Topic length therefore never reaches the call stack (the
// CVE-2021-20236 stack overflow came from recursive removal of a long topic). Memory is
// O(total key bytes): at most 2 nodes per key, each edge holding a piece of one key.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::patterns {

template <class V>
class radix_trie {
public:
  radix_trie() { nodes_.emplace_back(); }

  /// Number of keys stored.
  size_t size() const noexcept { return keys_; }

  /// The value of `key`, nullptr if absent.
  V* find(std::string_view key) noexcept {
    uint32_t n = locate(key);
    return n != npos && nodes_[n].used ? &nodes_[n].value : nullptr;
  }

  /// The value of `key`, default-constructed if new. Valid until the next insert or erase.
  V& insert(std::string_view key) {
    uint32_t n = 0;
    size_t pos = 0;
    while (pos < key.size()) {
      uint32_t c = child_starting(n, key[pos]);
      if (c == npos) {
        uint32_t leaf = alloc();
        nodes_[leaf].label.assign(key.substr(pos));
        nodes_[leaf].parent = n;
        nodes_[n].children.push_back(leaf);
        n = leaf;
        break;
      }
      size_t common = common_prefix(nodes_[c].label, key.substr(pos));
      if (common < nodes_[c].label.size())
        c = split(n, c, common);
      n = c;
      pos += common;
    }
    node& t = nodes_[n];
    if (!t.used) {
      t.used = true;
      ++keys_;
    }
    return t.value;
  }

  /// Removes `key` (if present) and prunes the nodes it no longer needs.
  void erase(std::string_view key) {
    uint32_t n = locate(key);
    if (n == npos || !nodes_[n].used)
      return;
    nodes_[n].used = false;
    nodes_[n].value = V{};
    if (--keys_ == 0) {  // give every node back at once
      nodes_.clear();
      nodes_.shrink_to_fit();
      free_.clear();
      free_.shrink_to_fit();
      nodes_.emplace_back();
      return;
    }
    while (n != 0 && !nodes_[n].used) {
      node& x = nodes_[n];
      uint32_t parent = x.parent;
      if (x.children.empty()) {  // a leaf nobody needs: drop it, then look at its parent
        replace_child(parent, n, npos);
        release(n);
        n = parent;
        continue;
      }
      if (x.children.size() == 1) {  // a pass-through node: fold it into its only child
        uint32_t c = x.children[0];
        x.label.append(nodes_[c].label);
        nodes_[c].label = std::move(x.label);
        nodes_[c].parent = parent;
        replace_child(parent, n, c);
        release(n);
      }
      break;
    }
  }

  /// Calls f(V&) for each stored key that is a prefix of `data`, shortest first.
  template <class F>
  void for_each_prefix_of(std::string_view data, F&& f) {
    uint32_t n = 0;
    size_t pos = 0;
    for (;;) {
      if (nodes_[n].used)
        f(nodes_[n].value);
      if (pos == data.size())
        return;
      uint32_t c = child_starting(n, data[pos]);
      if (c == npos)
        return;
      const std::string& label = nodes_[c].label;
      if (data.size() - pos < label.size() || std::memcmp(label.data(), data.data() + pos, label.size()) != 0)
        return;
      pos += label.size();
      n = c;
    }
  }

  /// True if some stored key is a prefix of `data` (the empty key matches everything).
  bool has_prefix_of(std::string_view data) const noexcept {
    uint32_t n = 0;
    size_t pos = 0;
    for (;;) {
      if (nodes_[n].used)
        return true;
      if (pos == data.size())
        return false;
      uint32_t c = child_starting(n, data[pos]);
      if (c == npos)
        return false;
      const std::string& label = nodes_[c].label;
      if (data.size() - pos < label.size() || std::memcmp(label.data(), data.data() + pos, label.size()) != 0)
        return false;
      pos += label.size();
      n = c;
    }
  }

  /// Calls f(std::string_view key, V&) for every key. `f` may change values but not the trie.
  template <class F>
  void for_each(F&& f) {
    struct step {
      uint32_t node;
      size_t next_child;
      size_t key_len;  // key length before this node's label
    };
    std::string key;
    std::vector<step> stack{{0, 0, 0}};
    if (nodes_[0].used)
      f(std::string_view{}, nodes_[0].value);
    while (!stack.empty()) {
      step& top = stack.back();
      if (top.next_child == nodes_[top.node].children.size()) {
        key.resize(top.key_len);
        stack.pop_back();
        continue;
      }
      uint32_t c = nodes_[top.node].children[top.next_child++];
      size_t before = key.size();
      key.append(nodes_[c].label);
      if (nodes_[c].used)
        f(std::string_view{key}, nodes_[c].value);
      stack.push_back({c, 0, before});
    }
  }

private:
  static constexpr uint32_t npos = UINT32_MAX;

  struct node {
    std::string label;               // the key bytes on the edge from the parent
    std::vector<uint32_t> children;  // at most one per first byte of their labels
    uint32_t parent = 0;
    bool used = false;               // a key ends here
    V value{};
  };

  static size_t common_prefix(std::string_view a, std::string_view b) noexcept {
    size_t n = std::min(a.size(), b.size()), i = 0;
    while (i < n && a[i] == b[i])
      ++i;
    return i;
  }

  uint32_t child_starting(uint32_t n, char first) const noexcept {
    for (uint32_t c : nodes_[n].children)
      if (nodes_[c].label[0] == first)
        return c;
    return npos;
  }

  uint32_t locate(std::string_view key) const noexcept {
    uint32_t n = 0;
    size_t pos = 0;
    while (pos < key.size()) {
      uint32_t c = child_starting(n, key[pos]);
      if (c == npos)
        return npos;
      const std::string& label = nodes_[c].label;
      if (key.size() - pos < label.size() || std::memcmp(label.data(), key.data() + pos, label.size()) != 0)
        return npos;
      pos += label.size();
      n = c;
    }
    return n;
  }

  // Splits child `c` of `parent` after `common` label bytes; returns the new middle node. The
  // middle node takes over c's buffer (truncated), so a split costs the tail's bytes only.
  uint32_t split(uint32_t parent, uint32_t c, size_t common) {
    uint32_t mid = alloc();
    node& cn = nodes_[c];
    node& mn = nodes_[mid];
    std::string tail = cn.label.substr(common);
    mn.label = std::move(cn.label);
    mn.label.resize(common);
    cn.label = std::move(tail);
    mn.parent = parent;
    mn.children.push_back(c);
    cn.parent = mid;
    replace_child(parent, c, mid);
    return mid;
  }

  // Replaces `old` among the children of `parent` by `now` (npos: removes it).
  void replace_child(uint32_t parent, uint32_t old, uint32_t now) {
    auto& ch = nodes_[parent].children;
    for (auto& x : ch)
      if (x == old) {
        if (now != npos) {
          x = now;
        } else {
          x = ch.back();
          // cppcheck-suppress invalidContainerLoop ; the loop ends right after (return)
          ch.pop_back();
        }
        return;
      }
  }

  uint32_t alloc() {
    if (!free_.empty()) {
      uint32_t n = free_.back();
      free_.pop_back();
      return n;
    }
    nodes_.emplace_back();
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  void release(uint32_t n) {
    nodes_[n] = node{};  // gives the label's and children's memory back
    free_.push_back(n);
  }

  std::vector<node> nodes_;  // [0] is the root (empty label)
  std::vector<uint32_t> free_;
  size_t keys_ = 0;
};

} // namespace cafmq::patterns
