// Routing ids: assignment, duplicates, handover, and receive with the id in front.
#include "patterns/router_table.hpp"

#include "patterns/envelope.hpp"

#include <algorithm>

namespace cafmq::patterns {

std::string router_table::generate_id() {
  for (;;) {
    uint32_t n = next_generated_++;
    std::string id{'\0', static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                   static_cast<char>(n >> 8), static_cast<char>(n)};
    if (by_id_.find(id) == by_id_.end())  // a peer may have chosen a 0x00 id itself
      return id;
  }
}

void router_table::rekey(entry& e, std::string id) {
  e.id = frame{id};
  by_id_[std::move(id)] = e.pipe;
}

router_table::admission router_table::attach(pipe_ptr p) {
  drop_finished();  // a ROUTER that only sends must still forget its gone peers
  auto result = admission::accepted;
  std::string id = p->routing_id;
  if (id.empty()) {
    id = generate_id();
  } else if (auto it = by_id_.find(id); it != by_id_.end()) {
    pipe_ptr holder = it->second;
    if (!holder->detached() && !handover_) {
      p->close_by_user();  // libzmq ignores the newcomer
      return admission::refused;
    }
    // The old holder keeps draining what it delivered under a generated id; it routes no more.
    auto old = std::find_if(entries_.begin(), entries_.end(),
                            [&](const entry& e) { return e.pipe == holder; });
    by_id_.erase(it);
    if (old != entries_.end())
      rekey(*old, generate_id());
    if (!holder->detached()) {
      holder->close_by_user();
      result = admission::handed_over;
    }
  }
  entries_.push_back(entry{std::move(p), frame{}});
  rekey(entries_.back(), std::move(id));
  return result;
}

const pipe_ptr* router_table::find(std::string_view id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second->detached() || it->second->closed_by_user())
    return nullptr;
  return &it->second;
}

std::string router_table::id_of(const pipe& p) const {
  for (auto& e : entries_)
    if (e.pipe.get() == &p)
      return e.id.to_string();
  return {};
}

bool router_table::try_recv(message& out) {
  for (size_t tried = 0; tried < entries_.size(); ++tried) {
    if (next_ >= entries_.size())
      next_ = 0;
    auto& e = entries_[next_++];
    if (e.pipe->inbound().try_pop(scratch_)) {
      last_from_ = e.pipe.get();
      out.clear();
      out.add(e.id);
      append_frames(out, scratch_);
      scratch_.clear();
      return true;
    }
  }
  drop_finished();
  return false;
}

bool router_table::prepare_wait() {
  bool ready = false;
  for (auto& e : entries_)
    if (!e.pipe->inbound().reader_sleep())
      ready = true;
  return !ready;
}

void router_table::drop_finished() {
  auto finished = [](const entry& e) {
    return (e.pipe->detached() || e.pipe->closed_by_user()) && !e.pipe->inbound().readable();
  };
  if (std::none_of(entries_.begin(), entries_.end(), finished))
    return;
  for (auto& e : entries_) {
    if (!finished(e))
      continue;
    auto it = by_id_.find(e.id.view());
    if (it != by_id_.end() && it->second == e.pipe)
      by_id_.erase(it);
  }
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), finished), entries_.end());
  next_ = 0;
}

std::vector<pipe_ptr> router_table::pipes() const {
  std::vector<pipe_ptr> out;
  out.reserve(entries_.size());
  for (auto& e : entries_)
    out.push_back(e.pipe);
  return out;
}

} // namespace cafmq::patterns
