// REQ (RFC 28): a request goes, behind an empty delimiter, to one peer in turn (load_balancer);
// only that peer's reply is taken, the rest is discarded. Strict send/recv alternation
// (wrong_state) unless req_relaxed; req_correlate puts a 4-byte request id in front and takes
// only replies that echo it. abandon_request() forgets the request in flight.
#include "patterns/envelope.hpp"
#include "patterns/pattern_factory.hpp"
#include "patterns/probe_router.hpp"
#include "runtime/core/error.hpp"

#include <cstring>
#include <random>

namespace cafmq::patterns {

namespace {

class req_pattern final : public socket_pattern {
public:
  explicit req_pattern(const socket_options& o)
    : relaxed_(o.req_relaxed), correlate_(o.req_correlate), probe_(o.probe_router),
      request_id_(std::random_device{}()) {}

  void attach(pipe_ptr p) override {
    if (probe_)
      send_probe(*p);
    lb_.attach(std::move(p));
  }
  void apply_live_options(const socket_options& o) override {
    relaxed_ = o.req_relaxed;
    correlate_ = o.req_correlate;
    probe_ = o.probe_router;
  }
  void reconnected(const pipe_ptr& p) override {
    if (probe_)
      send_probe(*p);
  }

  send_result try_send(message& m) override {
    if (target_ && !relaxed_)
      throw error{errc::wrong_state, "a REQ socket must receive the reply before it sends another "
                                     "request (or set req_relaxed)"};
    uint32_t id = request_id_ + 1;  // taken only if the request goes out
    message out;
    if (correlate_)
      out.add(frame{&id, sizeof id});
    out.add(frame{});
    append_frames(out, m);
    if (lb_.try_send(out) == send_result::would_block)
      return send_result::would_block;
    request_id_ = id;
    target_ = lb_.last_target();
    m.clear();
    return send_result::sent;
  }

  bool send_allowed() const noexcept override { return !target_ || relaxed_; }
  bool recv_allowed() const noexcept override { return target_ != nullptr; }

  bool try_recv(message& out) override {
    if (!target_)
      throw error{errc::wrong_state, "a REQ socket must send a request before it receives"};
    discard_from_others();
    while (target_->inbound().try_pop(scratch_)) {
      if (take_reply(out)) {
        last_from_ = target_.get();
        target_.reset();
        return true;
      }
    }
    return false;
  }

  bool prepare_wait_send() override { return lb_.prepare_wait(); }
  bool prepare_wait_recv() override { return target_ && target_->inbound().reader_sleep(); }
  std::vector<pipe_ptr> pipes() const override { return lb_.pipes(); }

  void abandon_request() override {
    if (!target_)
      return;
    // What already arrived from that peer answers the abandoned request: never a later one's.
    while (target_->inbound().try_pop(scratch_)) {
    }
    scratch_.clear();
    target_.reset();
  }

  const pipe* last_source() const noexcept override { return last_from_; }

private:
  const pipe* last_from_ = nullptr;  // where the last message received came from
  // RFC 28: "SHALL discard silently any messages received from other peers".
  void discard_from_others() {
    for (auto& p : lb_.pipes())
      if (p != target_)
        while (p->inbound().try_pop(scratch_)) {
        }
    scratch_.clear();
  }

  // A reply is [request id if correlating] + empty delimiter + at least one body frame.
  bool take_reply(message& out) {
    size_t d = 0;
    if (correlate_) {
      if (scratch_.size() < 1 || scratch_[0].size() != sizeof request_id_
          || std::memcmp(scratch_[0].data(), &request_id_, sizeof request_id_) != 0)
        return false;
      d = 1;
    }
    if (scratch_.size() < d + 2 || !scratch_[d].empty())
      return false;
    out.clear();
    append_frames(out, scratch_, d + 1);
    scratch_.clear();
    return true;
  }

  load_balancer lb_;
  bool relaxed_;
  bool correlate_;
  bool probe_;
  uint32_t request_id_;
  pipe_ptr target_;  // the peer the request in flight went to; empty: no request in flight
  message scratch_;
};

} // namespace

std::unique_ptr<socket_pattern> make_req(const socket_options& o) {
  return std::make_unique<req_pattern>(o);
}

} // namespace cafmq::patterns
