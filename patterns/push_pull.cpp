// PUSH and PULL (RFC 30 PIPELINE): PUSH load-balances and never receives; PULL fair-queues and
// never sends. Also the factory of socket patterns.
#include "patterns/fair_queue.hpp"
#include "patterns/socket_pattern.hpp"
#include "runtime/core/error.hpp"

#include <string>

namespace cafmq::patterns {

namespace {

[[noreturn]] void cannot(socket_type t, const char* what) {
  throw error{errc::unsupported,
              std::string(zmtp_name(t)) + " sockets cannot " + what + " (RFC 30)"};
}

class push_pattern final : public socket_pattern {
public:
  void attach(pipe_ptr p) override { lb_.attach(std::move(p)); }
  send_result try_send(message& m) override { return lb_.try_send(m); }
  bool try_recv(message&) override { cannot(socket_type::push, "receive"); }
  bool prepare_wait_send() override { return lb_.prepare_wait(); }
  bool prepare_wait_recv() override { return true; }
  std::vector<pipe_ptr> pipes() const override { return lb_.pipes(); }

private:
  load_balancer lb_;
};

class pull_pattern final : public socket_pattern {
public:
  void attach(pipe_ptr p) override { fq_.attach(std::move(p)); }
  send_result try_send(message&) override { cannot(socket_type::pull, "send"); }
  bool try_recv(message& out) override { return fq_.try_recv(out); }
  bool prepare_wait_send() override { return true; }
  bool prepare_wait_recv() override { return fq_.prepare_wait(); }
  std::vector<pipe_ptr> pipes() const override { return fq_.pipes(); }

private:
  fair_queue fq_;
};

} // namespace

std::unique_ptr<socket_pattern> make_pattern(socket_type type) {
  switch (type) {
    case socket_type::push: return std::make_unique<push_pattern>();
    case socket_type::pull: return std::make_unique<pull_pattern>();
    default:
      throw error{errc::unsupported, "socket type " + std::string(zmtp_name(type))
                                       + " is not implemented yet (supported: push, pull)"};
  }
}

} // namespace cafmq::patterns
