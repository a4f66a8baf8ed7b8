// PUSH and PULL (RFC 30 PIPELINE): PUSH load-balances and never receives; PULL fair-queues and
// never sends (with conflate: only the newest message waiting is received).
#include "patterns/fair_queue.hpp"
#include "patterns/pattern_factory.hpp"

namespace cafmq::patterns {

namespace {

class push_pattern final : public socket_pattern {
public:
  explicit push_pattern(bool drop_oldest) : lb_(drop_oldest) {}
  void attach(pipe_ptr p) override { lb_.attach(std::move(p)); }
  send_result try_send(message& m) override { return lb_.try_send(m); }
  bool try_recv(message&) override { cannot(socket_type::push, "receive", "RFC 30"); }
  bool prepare_wait_send() override { return lb_.prepare_wait(); }
  bool prepare_wait_recv() override { return true; }
  pipe* sole_send_pipe() noexcept override { return lb_.sole_pipe(); }
  std::vector<pipe_ptr> pipes() const override { return lb_.pipes(); }
  drop_counts drops() const noexcept override { return {lb_.dropped(), 0}; }

private:
  load_balancer lb_;
};

class pull_pattern final : public socket_pattern {
public:
  explicit pull_pattern(bool conflate) : conflate_(conflate) {}
  void attach(pipe_ptr p) override { fq_.attach(std::move(p)); }
  send_result try_send(message&) override { cannot(socket_type::pull, "send", "RFC 30"); }
  bool try_recv(message& out) override {
    return conflate_ ? fq_.try_recv_newest(out) : fq_.try_recv(out);
  }
  const pipe* last_source() const noexcept override { return fq_.last_from(); }
  bool prepare_wait_send() override { return true; }
  bool prepare_wait_recv() override { return fq_.prepare_wait(); }
  pipe* sole_recv_pipe() noexcept override { return conflate_ ? nullptr : fq_.sole_pipe(); }
  std::vector<pipe_ptr> pipes() const override { return fq_.pipes(); }

private:
  fair_queue fq_;
  bool conflate_;
};

} // namespace

std::unique_ptr<socket_pattern> make_push(const socket_options& o) {
  return std::make_unique<push_pattern>(o.full_policy == full_policy::drop_oldest);
}

std::unique_ptr<socket_pattern> make_pull(const socket_options& o) {
  return std::make_unique<pull_pattern>(o.conflate);
}

} // namespace cafmq::patterns
