// STREAM (libzmq ZMQ_STREAM): raw TCP peers, no ZMTP. Each connection has a pipe of its own and a
// routing id; a receive returns [routing id, data] fair-queued across connections (an empty data
// frame is the connect or disconnect notification), a send takes [routing id, data] and writes the
// data raw to that connection ([routing id, ""] closes it once what was queued before is written).
#include "patterns/pattern_factory.hpp"
#include "runtime/core/error.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

namespace cafmq::patterns {

namespace {

class stream_pattern final : public socket_pattern {
public:
  stream_pattern() : next_id_(static_cast<uint32_t>(std::random_device{}())) {}

  void attach(pipe_ptr p) override {
    if (p->routing_id.empty())
      p->routing_id = generate_id();
    auto& slot = routes_[p->routing_id];
    if (slot && !slot->detached()) {
      p->close_by_user();  // a connect routing id already in use: refuse the newcomer
      return;
    }
    slot = p;
    pipes_.push_back(std::move(p));
  }

  send_result try_send(message& m) override {
    if (m.size() != 2)
      throw error{errc::invalid_argument, "a STREAM message is [routing id, data] (2 frames), not "
                                            + std::to_string(m.size()) + " frames"};
    auto it = routes_.find(m[0].to_string());
    if (it == routes_.end() || it->second->detached()) {
      if (it != routes_.end())
        routes_.erase(it);
      throw error{errc::host_unreachable, "no STREAM connection has this routing id (closed, or "
                                            "never connected)"};
    }
    auto& ring = it->second->outbound();
    message data{m[1]};  // a frame copy: shares the bytes; `m` stays intact if the ring is full
    if (!ring.try_push(data)) {
      blocked_ = it->second;
      return send_result::would_block;
    }
    ring.flush();
    if (m[1].empty())
      routes_.erase(it);  // closing: later sends to it are unroutable; its notification still comes
    m.clear();
    return send_result::sent;
  }

  bool try_recv(message& out) override {
    for (size_t tried = 0; tried < pipes_.size(); ++tried) {
      if (next_ >= pipes_.size())
        next_ = 0;
      auto& p = pipes_[next_++];
      message data;
      if (!p->inbound().try_pop(data))
        continue;
      last_from_ = p.get();
      out.clear();
      out.add(frame{p->routing_id});
      for (size_t i = 0; i < data.size(); ++i)
        out.add(data[i]);  // shares the bytes
      return true;
    }
    drop_finished();
    return false;
  }

  bool prepare_wait_send() override {
    // Only a full connection queue makes a send wait; a connection that went away ends the wait
    // (the retry then reports host_unreachable), so a send never waits on a dead peer.
    if (!blocked_ || blocked_->detached())
      return false;
    return blocked_->outbound().writer_sleep();
  }

  bool prepare_wait_recv() override {
    bool ready = false;
    for (auto& p : pipes_)
      if (!p->inbound().reader_sleep())
        ready = true;
    return !ready;
  }

  std::vector<pipe_ptr> pipes() const override { return pipes_; }

  const pipe* last_source() const noexcept override { return last_from_; }

private:
  const pipe* last_from_ = nullptr;  // where the last message received came from
  // Like ROUTER: a zero byte (never the first byte of a user-chosen id) and a 32-bit counter.
  std::string generate_id() {
    uint32_t n = next_id_++;
    std::string id(5, '\0');
    for (int i = 0; i < 4; ++i)
      id[static_cast<size_t>(4 - i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return id;
  }

  // A connection that went away is forgotten once its messages (the disconnect notification
  // last) have been read.
  void drop_finished() {
    auto finished = [](const pipe_ptr& p) { return p->detached() && !p->inbound().readable(); };
    if (std::none_of(pipes_.begin(), pipes_.end(), finished))
      return;
    for (auto& p : pipes_) {
      if (!finished(p))
        continue;
      auto it = routes_.find(p->routing_id);
      if (it != routes_.end() && it->second == p)
        routes_.erase(it);
      if (blocked_ == p)
        blocked_.reset();
    }
    pipes_.erase(std::remove_if(pipes_.begin(), pipes_.end(), finished), pipes_.end());
    next_ = 0;
  }

  std::vector<pipe_ptr> pipes_;                        // receive order
  std::unordered_map<std::string, pipe_ptr> routes_;   // routing id -> open connection
  pipe_ptr blocked_;                                   // the connection a send waits for
  size_t next_ = 0;
  uint32_t next_id_;
};

} // namespace

std::unique_ptr<socket_pattern> make_stream(const socket_options&) {
  return std::make_unique<stream_pattern>();
}

} // namespace cafmq::patterns
