// SUB and XSUB (RFC 29): fair-queued receive, filtered locally against our own counted
// subscriptions (a publisher may send everything: a 3.0 peer, or a message racing a cancel).
// SUB sends a subscription upstream on the first subscribe of a prefix and the last cancel; XSUB
// forwards every subscribe and every cancel of a prefix it holds (RFC 23 counts them), plus any
// other message its user sends. Each new pipe, and each reconnection behind a connector's pipe,
// gets all current subscriptions. conflate (SUB): recv returns only the newest message available.
#include "patterns/fair_queue.hpp"
#include "patterns/pattern_factory.hpp"
#include "patterns/subscription_message.hpp"
#include "patterns/subscription_trie.hpp"
#include "patterns/upstream_pipes.hpp"

namespace cafmq::patterns {

namespace {

// Messages a recv may discard (filtered out) before it returns and lets the caller wait or retry:
// a flood of unwanted messages must not keep one call busy forever.
constexpr size_t discard_budget = 65536;

class sub_pattern final : public socket_pattern {
public:
  sub_pattern(socket_type type, const socket_options& o)
    : type_(type), xsub_(type == socket_type::xsub), conflate_(o.conflate) {}

  void attach(pipe_ptr p) override {
    p->mark_control_only();  // subscriptions: never lingered for toward a peer not connected
    fq_.attach(p);
    up_.attach(std::move(p), current());
  }

  void reconnected(const pipe_ptr& p) override { up_.resend(p, current()); }

  send_result try_send(message& m) override {
    if (!xsub_)
      cannot(type_, "send", "RFC 29");
    up_.retry();
    if (!is_subscription(m)) {
      up_.send_data(m);
      m.clear();
      return send_result::sent;
    }
    auto prefix = prefix_of(m);
    check_subscription_size(prefix);
    if (is_subscribe(m)) {
      filter_.add(prefix);
      up_.send_subscription(m);
    } else if (filter_.count(prefix) > 0) {
      filter_.remove(prefix);
      up_.send_subscription(m);
    }  // cancelling what was never subscribed: nothing to undo
    m.clear();
    return send_result::sent;
  }

  bool try_recv(message& out) override {
    up_.retry();
    if (conflate_)
      return recv_newest(out);
    message m;
    for (size_t budget = discard_budget; budget > 0; --budget) {
      if (!fq_.try_recv(m))
        return false;
      if (filter_.matches(topic_of(m))) {
        out = std::move(m);
        return true;
      }
    }
    return false;
  }

  const pipe* last_source() const noexcept override { return fq_.last_from(); }
  bool prepare_wait_send() override { return false; }  // XSUB never blocks on send

  bool prepare_wait_recv() override {
    bool up_idle = up_.prepare_wait();
    bool fq_idle = fq_.prepare_wait();
    return up_idle && fq_idle;
  }

  std::vector<pipe_ptr> pipes() const override { return fq_.pipes(); }

  drop_counts drops() const noexcept override { return {up_.dropped(), 0}; }

  // SUB (the socket checks the type): counted locally, upstream on the first and last count.
  void subscribe(std::string_view prefix, bool add) override {
    check_subscription_size(prefix);
    up_.retry();
    if (add ? filter_.add(prefix) : filter_.remove(prefix))
      up_.send_subscription(subscription_message(prefix, add));
  }

private:
  // What a new connection must hear: SUB one subscribe per prefix; XSUB as many as it forwarded.
  std::vector<upstream_pipes::batch> current() const {
    std::vector<upstream_pipes::batch> out;
    filter_.for_each([&](std::string_view prefix, size_t count) {
      out.push_back({subscription_message(prefix, true), xsub_ ? count : 1});
    });
    return out;
  }

  // conflate: drain what is there (bounded), keep the newest message that passes the filter.
  bool recv_newest(message& out) {
    bool got = false;
    message m;
    for (size_t budget = discard_budget; budget > 0 && fq_.try_recv(m); --budget) {
      if (filter_.matches(topic_of(m))) {
        out = std::move(m);
        got = true;
      }
    }
    return got;
  }

  socket_type type_;
  bool xsub_;
  bool conflate_;
  fair_queue fq_;
  upstream_pipes up_;
  subscription_trie filter_;
};

} // namespace

std::unique_ptr<socket_pattern> make_sub(const socket_options& o) {
  return std::make_unique<sub_pattern>(socket_type::sub, o);
}

std::unique_ptr<socket_pattern> make_xsub(const socket_options& o) {
  return std::make_unique<sub_pattern>(socket_type::xsub, o);
}

} // namespace cafmq::patterns
