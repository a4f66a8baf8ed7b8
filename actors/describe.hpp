// Introspection: a supervisor answers describe_atom with its own node and its children's, asked
// concurrently (never blocking the actor); a child that does not answer in time shows up as
// unresponsive instead of stalling the snapshot.
#pragma once

#include "actors/messages.hpp"

#include <chrono>
#include <memory>
#include <vector>

namespace cafmq::actors {

/// How long a supervisor waits for a child's snapshot.
constexpr auto describe_timeout = std::chrono::seconds(2);

/// Answers a describe request with `node` plus the snapshots of `children` (in their order;
/// any handle that converts to `describable`), then the nodes already in node.children (children
/// that no longer run, described by their supervisor).
template <class Self, class Children>
caf::result<supervision_node> describe_with_children(Self* self, supervision_node node,
                                                     const Children& children) {
  if (children.empty())
    return node;
  auto gone = std::move(node.children);
  node.children.clear();
  struct gather {
    supervision_node node;
    size_t left = 0;
    caf::response_promise rp;
  };
  auto g = std::make_shared<gather>();
  g->node = std::move(node);
  g->left = children.size();
  g->node.children.resize(children.size());
  for (auto& n : gone)
    g->node.children.push_back(std::move(n));
  g->rp = self->make_response_promise();
  size_t i = 0;
  for (auto& child : children) {
    auto done = [g, i](supervision_node&& n) {
      g->node.children[i] = std::move(n);
      if (--g->left == 0)
        g->rp.deliver(std::move(g->node));
    };
    self->request(describable{child}, describe_timeout, describe_atom::value)
      .then([done](supervision_node& n) mutable { done(std::move(n)); },
            [done](caf::error&) mutable {
              supervision_node n;
              n.state = node_state::unresponsive;
              done(std::move(n));
            });
    ++i;
  }
  return g->rp;
}

} // namespace cafmq::actors
