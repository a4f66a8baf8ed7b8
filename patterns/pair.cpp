// PAIR (RFC 31 EXPAIR): exactly one peer at a time, both directions, nothing filtered or routed.
// A second peer while one is attached is refused (its connection is closed, as libzmq does); once
// the peer's pipe is gone a later peer is accepted. What the gone peer sent before it went is
// still delivered (libzmq does; RFC 31's "discard" would lose messages that had arrived). A
// connector's pipe exists from connect() on, so sends queue before the connection is up; a bound
// PAIR without a peer waits in send.
#include "patterns/conflate.hpp"
#include "patterns/drop_oldest.hpp"
#include "patterns/pattern_factory.hpp"

namespace cafmq::patterns {

namespace {

class pair_pattern final : public socket_pattern {
public:
  pair_pattern(bool conflate, bool drop_oldest) : conflate_(conflate), drop_oldest_(drop_oldest) {}

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
    if (!peer_)
      return send_result::would_block;
    if (peer_->outbound().try_push(m)) {
      peer_->outbound().flush();
      return send_result::sent;
    }
    if (!drop_oldest_)
      return send_result::would_block;  // its queue is at the HWM: wait (or the socket's policy)
    dropped_ += push_dropping_oldest(*peer_, m);
    return send_result::sent;
  }

  bool try_recv(message& out) override {
    forget_gone_peer();
    if (gone_ && take(*gone_, out))
      return true;
    gone_.reset();  // drained: what it sent has all been delivered
    return peer_ && take(*peer_, out);
  }

  bool prepare_wait_send() override {
    forget_gone_peer();
    return !peer_ || peer_->outbound().writer_sleep();  // a new peer or a detach wakes us
  }

  bool prepare_wait_recv() override {
    forget_gone_peer();
    if (gone_ && gone_->inbound().readable())
      return false;
    return !peer_ || peer_->inbound().reader_sleep();
  }

  std::vector<pipe_ptr> pipes() const override {
    std::vector<pipe_ptr> out;
    for (auto* p : {&peer_, &gone_})
      if (*p)
        out.push_back(*p);
    return out;
  }

  const pipe* last_source() const noexcept override { return last_from_; }
  drop_counts drops() const noexcept override { return {dropped_, 0}; }

private:
  const pipe* last_from_ = nullptr;
  bool take(pipe& p, message& out) {
    bool got = conflate_ ? take_newest(p.inbound(), out) : p.inbound().try_pop(out);
    if (got)
      last_from_ = &p;
    return got;
  }

  // A detached peer makes room for the next one at once; what it sent is read out first. Its
  // outgoing queue goes with it (nobody will read it). A connector's pipe outlives its
  // connections and is only detached when the socket closes.
  void forget_gone_peer() {
    if (peer_ && peer_->detached())
      gone_ = std::move(peer_);
  }

  pipe_ptr peer_;
  pipe_ptr gone_;  // the previous peer, until what it sent has been received
  bool conflate_;
  bool drop_oldest_;
  uint64_t dropped_ = 0;  // drop_oldest's discards
};

} // namespace

std::unique_ptr<socket_pattern> make_pair(const socket_options& o) {
  return std::make_unique<pair_pattern>(o.conflate, o.full_policy == full_policy::drop_oldest);
}

} // namespace cafmq::patterns
