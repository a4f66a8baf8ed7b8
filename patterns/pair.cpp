// PAIR (RFC 31 EXPAIR): exactly one peer at a time, both directions, nothing filtered or routed.
// A second peer while one is attached is refused (its connection is closed, as libzmq does); once
// the peer's pipe is gone a later peer is accepted. A connector's pipe exists from connect() on,
// so sends queue before the connection is up; a bound PAIR without a peer waits in send.
#include "patterns/conflate.hpp"
#include "patterns/pattern_factory.hpp"

namespace cafmq::patterns {

namespace {

class pair_pattern final : public socket_pattern {
public:
  explicit pair_pattern(bool conflate) : conflate_(conflate) {}

  void attach(pipe_ptr p) override {
    forget_gone_peer();
    if (peer_) {
      p->close_by_user();  // RFC 31: at most one peer; the engine closes the newcomer for good
      return;
    }
    peer_ = std::move(p);
  }

  send_result try_send(message& m) override {
    forget_gone_peer();
    if (!peer_ || !peer_->outbound().try_push(m))
      return send_result::would_block;  // no peer, or its queue is at the HWM: never discard
    peer_->outbound().flush();
    return send_result::sent;
  }

  bool try_recv(message& out) override {
    forget_gone_peer();
    if (!peer_)
      return false;
    return conflate_ ? take_newest(peer_->inbound(), out) : peer_->inbound().try_pop(out);
  }

  bool prepare_wait_send() override {
    forget_gone_peer();
    return !peer_ || peer_->outbound().writer_sleep();  // a new peer or a detach wakes us
  }

  bool prepare_wait_recv() override {
    forget_gone_peer();
    return !peer_ || peer_->inbound().reader_sleep();
  }

  std::vector<pipe_ptr> pipes() const override {
    if (peer_)
      return {peer_};
    return {};
  }

private:
  // RFC 31: when the peer disconnects its double queue is destroyed and the messages in it are
  // discarded; the next peer starts afresh. (A connector's pipe outlives its connections and is
  // only detached when the socket closes.)
  void forget_gone_peer() {
    if (peer_ && peer_->detached())
      peer_.reset();
  }

  pipe_ptr peer_;
  bool conflate_;
};

} // namespace

std::unique_ptr<socket_pattern> make_pair(const socket_options& o) {
  return std::make_unique<pair_pattern>(o.conflate);
}

} // namespace cafmq::patterns
