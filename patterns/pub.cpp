// PUB and XPUB (RFC 29): distribute each message to the peers whose subscriptions match its first
// frame, and take in the subscriptions peers send on each send, recv and subscribers() call.
// PUB applies them and drops anything else a peer sends (bounded: CVE-2021-20237). XPUB also
// hands subscriptions to its user (first subscribe / last cancel; every subscribe with
// xpub_verbose; every subscribe and cancel with xpub_verboser), passes other peer messages up,
// reports the cancels of a peer that left (RFC 29), and with xpub_manual leaves applying them to
// the user (subscribe() acts for the peer of the last subscription message received).
#include "patterns/distributor.hpp"
#include "patterns/pattern_factory.hpp"
#include "patterns/subscription_message.hpp"
#include "patterns/subscription_trie.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/log.hpp"

#include <deque>
#include <string>

namespace cafmq::patterns {

namespace {

class pub_pattern final : public socket_pattern {
public:
  pub_pattern(socket_type type, const socket_options& o)
    : type_(type), xpub_(type == socket_type::xpub), verbose_(o.xpub_verbose || o.xpub_verboser),
      verboser_(o.xpub_verboser), manual_(xpub_ && o.xpub_manual), welcome_(o.xpub_welcome_msg),
      queue_cap_(effective_hwm(o.rcvhwm)),
      dist_((xpub_ && o.xpub_nodrop) || o.full_policy == full_policy::block
              || o.full_policy == full_policy::error,
            o.full_policy == full_policy::drop_oldest) {}

  void apply_live_options(const socket_options& o) override {
    verbose_ = o.xpub_verbose || o.xpub_verboser;
    verboser_ = o.xpub_verboser;
  }

  void attach(pipe_ptr p) override {
    if (welcome_ && xpub_) {
      message hello{*welcome_};
      if (p->outbound().try_push(hello)) {  // a fresh pipe's ring has room
        p->mark_greeting_queued();  // not lingered for if the peer never connects
        p->outbound().flush();
      }
    }
    dist_.attach(std::move(p));
  }

  send_result try_send(message& m) override {
    take_in();
    return dist_.send(m);
  }

  bool try_recv(message& out) override {
    if (!xpub_)
      cannot(type_, "receive", "RFC 29");
    take_in();
    if (queue_.empty())
      return false;
    auto& front = queue_.front();
    if (front.subscription)
      last_pipe_ = front.from;
    last_from_ = front.from.get();
    if (front.repeat > 1) {
      --front.repeat;
      out = front.msg;
      return true;
    }
    out = std::move(front.msg);
    queue_.pop_front();
    return true;
  }

  bool prepare_wait_send() override { return dist_.prepare_wait(); }

  bool prepare_wait_recv() override {
    if (!queue_.empty())
      return false;
    bool ready = false;
    for (auto& s : dist_.peers())
      if (!s->pipe->inbound().reader_sleep())
        ready = true;
    return !ready;
  }

  std::vector<pipe_ptr> pipes() const override {
    std::vector<pipe_ptr> out;
    for (auto& s : dist_.peers())
      out.push_back(s->pipe);
    return out;
  }

  drop_counts drops() const noexcept override { return {dist_.dropped(), 0}; }

  // XPUB with xpub_manual (the socket checks): applies for the peer of the last subscription
  // message the user received.
  void subscribe(std::string_view prefix, bool add) override {
    check_subscription_size(prefix);
    if (!last_pipe_)
      throw error{errc::wrong_state, "xpub_manual: no subscription message has been received yet, "
                                     "so there is no peer to apply it to"};
    take_in();
    for (auto& s : dist_.peers()) {
      if (s->pipe != last_pipe_)
        continue;
      if (add)
        dist_.subscribe(*s, prefix);
      else
        dist_.unsubscribe(*s, prefix);
      return;
    }
    // The peer is gone: its subscriptions went with it.
  }

  size_t subscribers() override {
    take_in();
    return dist_.subscribed_peers();
  }

  const pipe* last_source() const noexcept override { return last_from_; }

private:
  const pipe* last_from_ = nullptr;  // where the last message received came from
  struct upstream {
    message msg;
    pipe_ptr from;
    bool subscription;
    size_t repeat;  // a departed peer's cancels of one prefix, produced one per recv
  };

  void take_in() {
    for (auto& s : dist_.peers()) {
      auto& ring = s->pipe->inbound();
      for (size_t budget = ring.hwm(); budget > 0; --budget) {
        if (xpub_ && queue_.size() >= queue_cap_)
          return;  // the user is behind: leave the rest in the rings (the peers' TCP backs up)
        const message* m = ring.front();
        if (m == nullptr)
          break;
        handle(*s, *m);
        ring.pop_front();
      }
    }
    dist_.forget_detached([this](std::string_view prefix, size_t held, size_t left) {
      if (!xpub_)
        return;
      if (manual_ || verboser_)
        queue_.push_back({subscription_message(prefix, false), nullptr, false, held});
      else if (left == 0)
        queue_.push_back({subscription_message(prefix, false), nullptr, false, 1});
    });
  }

  void handle(subscriber& s, const message& m) {
    if (!is_subscription(m)) {
      if (xpub_)
        queue_.push_back({m, s.pipe, false, 1});
      return;  // PUB: RFC 29 "SHALL silently discard any messages that subscribers send it"
    }
    auto prefix = prefix_of(m);
    if (prefix.size() > max_subscription_size) {
      log::write(log::level::warn, xpub_ ? "xpub" : "pub",
                 "ignored a subscription of " + std::to_string(prefix.size())
                   + " bytes from a peer (limit " + std::to_string(max_subscription_size) + ")");
      return;
    }
    if (manual_) {
      queue_.push_back({m, s.pipe, true, 1});
      return;
    }
    if (is_subscribe(m)) {
      auto ch = dist_.subscribe(s, prefix);
      if (xpub_ && (verbose_ || ch.total == 1))
        queue_.push_back({m, s.pipe, true, 1});
    } else {
      auto ch = dist_.unsubscribe(s, prefix);
      if (xpub_ && ch && (verboser_ || ch->total == 0))
        queue_.push_back({m, s.pipe, true, 1});
    }
  }

  socket_type type_;
  bool xpub_;
  bool verbose_;
  bool verboser_;
  bool manual_;
  std::optional<std::string> welcome_;
  size_t queue_cap_;
  distributor dist_;
  std::deque<upstream> queue_;  // XPUB: what the user will receive
  pipe_ptr last_pipe_;          // XPUB manual: the peer subscribe() acts for
};

} // namespace

std::unique_ptr<socket_pattern> make_pub(const socket_options& o) {
  return std::make_unique<pub_pattern>(socket_type::pub, o);
}

std::unique_ptr<socket_pattern> make_xpub(const socket_options& o) {
  return std::make_unique<pub_pattern>(socket_type::xpub, o);
}

} // namespace cafmq::patterns
