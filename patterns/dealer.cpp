// DEALER (RFC 28): load-balanced send and fair-queued receive, blind to envelopes. Blocks (or
// would_block) when every peer is at its HWM; never drops. With probe_router every new peer
// (and a connector's peer again after each reconnect) first gets an empty message.
#include "patterns/fair_queue.hpp"
#include "patterns/pattern_factory.hpp"
#include "patterns/probe_router.hpp"

namespace cafmq::patterns {

namespace {

class dealer_pattern final : public socket_pattern {
public:
  explicit dealer_pattern(const socket_options& o)
    : lb_(o.full_policy == full_policy::drop_oldest), probe_(o.probe_router) {}

  void attach(pipe_ptr p) override {
    if (probe_)
      send_probe(*p);
    lb_.attach(p);
    fq_.attach(std::move(p));
  }
  void reconnected(const pipe_ptr& p) override {
    if (probe_)
      send_probe(*p);
  }
  void apply_live_options(const socket_options& o) override { probe_ = o.probe_router; }
  send_result try_send(message& m) override { return lb_.try_send(m); }
  bool try_recv(message& out) override { return fq_.try_recv(out); }
  const pipe* last_source() const noexcept override { return fq_.last_from(); }
  bool prepare_wait_send() override { return lb_.prepare_wait(); }
  pipe* sole_send_pipe() noexcept override { return lb_.sole_pipe(); }
  bool prepare_wait_recv() override { return fq_.prepare_wait(); }
  pipe* sole_recv_pipe() noexcept override { return fq_.sole_pipe(); }
  std::vector<pipe_ptr> pipes() const override { return fq_.pipes(); }
  drop_counts drops() const noexcept override { return {lb_.dropped(), 0}; }

private:
  load_balancer lb_;
  fair_queue fq_;
  bool probe_;
};

} // namespace

std::unique_ptr<socket_pattern> make_dealer(const socket_options& o) {
  return std::make_unique<dealer_pattern>(o);
}

} // namespace cafmq::patterns
