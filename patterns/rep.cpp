// REP (RFC 28): fair-queued requests; the envelope (every frame up to and including the first
// empty delimiter) is kept and only the body is returned; the reply goes back with that envelope
// to the peer the request came from. A request without a delimiter is discarded, and so is a
// reply whose peer is gone or full: REP never blocks on send.
#include "patterns/envelope.hpp"
#include "patterns/fair_queue.hpp"
#include "patterns/pattern_factory.hpp"
#include "runtime/core/error.hpp"

namespace cafmq::patterns {

namespace {

class rep_pattern final : public socket_pattern {
public:
  void attach(pipe_ptr p) override { fq_.attach(std::move(p)); }

  bool try_recv(message& out) override {
    if (source_)
      throw error{errc::wrong_state, "a REP socket must send the reply before it receives the "
                                     "next request"};
    while (fq_.try_recv(scratch_)) {
      if (split_envelope(scratch_, envelope_, out)) {
        source_ = fq_.last_source();
        scratch_.clear();
        return true;
      }
    }
    scratch_.clear();
    return false;
  }

  const pipe* last_source() const noexcept override { return fq_.last_from(); }
  bool send_allowed() const noexcept override { return source_ != nullptr; }
  bool recv_allowed() const noexcept override { return source_ == nullptr; }

  send_result try_send(message& m) override {
    if (!source_)
      throw error{errc::wrong_state, "a REP socket must receive a request before it replies"};
    message out = std::move(envelope_);
    append_frames(out, m);
    auto& ring = source_->outbound();
    // The requester is gone or not reading: RFC 28 lets the reply go.
    if (source_->detached() || source_->closed_by_user()) {
      ++drops_.unroutable;
    } else if (ring.try_push(out)) {
      ring.flush();
    } else {
      ++drops_.hwm;
      ++source_->dropped;
    }
    source_.reset();
    m.clear();
    return send_result::sent;
  }

  bool prepare_wait_send() override { return false; }  // never waits: try_send always succeeds
  bool prepare_wait_recv() override { return fq_.prepare_wait(); }
  std::vector<pipe_ptr> pipes() const override { return fq_.pipes(); }
  drop_counts drops() const noexcept override { return drops_; }

private:
  fair_queue fq_;
  pipe_ptr source_;  // the requester awaiting our reply; empty: no request taken
  message envelope_;
  message scratch_;
  drop_counts drops_;
};

} // namespace

std::unique_ptr<socket_pattern> make_rep(const socket_options&) {
  return std::make_unique<rep_pattern>();
}

} // namespace cafmq::patterns
