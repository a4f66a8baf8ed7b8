// ROUTER (RFC 28): receive puts the sender's routing id in front; send takes the first frame as
// the routing id and passes the rest to that peer. Unroutable or full: dropped and counted, or
// with router_mandatory host_unreachable / would_block. Never blocks otherwise.
#include "patterns/drop_oldest.hpp"
#include "patterns/envelope.hpp"
#include "patterns/pattern_factory.hpp"
#include "patterns/probe_router.hpp"
#include "patterns/router_table.hpp"
#include "runtime/core/error.hpp"
#include "runtime/core/zmtp_command.hpp"

#include <random>

namespace cafmq::patterns {

namespace {

uint32_t random_seed() {
  std::random_device rd;
  return rd();
}

class router_pattern final : public socket_pattern {
public:
  explicit router_pattern(const socket_options& o)
    : table_(o.router_handover, random_seed()) {
    take_options(o);
  }

  void apply_live_options(const socket_options& o) override { take_options(o); }

  // The options that may change on a live socket.
  void take_options(const socket_options& o) {
    table_.set_handover(o.router_handover);
    mandatory_ = o.router_mandatory;
    probe_ = o.probe_router;
    drop_when_full_ = !o.router_mandatory && (o.full_policy == full_policy::automatic
                                              || o.full_policy == full_policy::drop_newest);
    drop_oldest_ = !o.router_mandatory && o.full_policy == full_policy::drop_oldest;
  }

  void attach(pipe_ptr p) override {
    auto* raw = p.get();
    if (table_.attach(std::move(p)) != router_table::admission::refused && probe_)
      send_probe(*raw);
  }

  send_result try_send(message& m) override {
    if (m.size() < 2)
      throw error{errc::invalid_argument, "a ROUTER message needs a routing id frame and at least "
                                          "one frame to deliver"};
    blocked_.reset();
    const pipe_ptr* found = table_.find(m[0].view());
    if (found == nullptr) {
      if (mandatory_)
        throw error{errc::host_unreachable,
                    "no ROUTER peer has the routing id '" + printable(m[0].view()) + "'"};
      ++drops_.unroutable;
      m.clear();
      return send_result::sent;
    }
    pipe& p = **found;
    bool full = p.outbound().full();
    if (full && drop_when_full_) {
      ++drops_.hwm;
      ++p.dropped;
      m.clear();
      return send_result::sent;
    }
    if (full && !drop_oldest_) {
      blocked_ = *found;  // router_mandatory or policy block/error: the caller waits for this peer
      return send_result::would_block;
    }
    message out;
    append_frames(out, m, 1);
    if (full) {
      drops_.hwm += push_dropping_oldest(p, out);  // that peer's oldest go
    } else {
      p.outbound().try_push(out);  // cannot fail: the ring had room and only we write to it
      p.outbound().flush();
    }
    m.clear();
    return send_result::sent;
  }

  bool try_recv(message& out) override { return table_.try_recv(out); }
  const pipe* last_source() const noexcept override { return table_.last_from(); }
  bool prepare_wait_send() override {
    if (!blocked_ || blocked_->detached() || blocked_->closed_by_user())
      return false;  // try again: nothing blocked, or the peer went away (the next try says so)
    return blocked_->outbound().writer_sleep();
  }
  bool prepare_wait_recv() override { return table_.prepare_wait(); }
  std::vector<pipe_ptr> pipes() const override { return table_.pipes(); }
  drop_counts drops() const noexcept override { return drops_; }
  std::string peer_id(const pipe& p) const override { return table_.id_of(p); }

private:
  router_table table_;
  bool mandatory_ = false;
  bool probe_ = false;
  bool drop_when_full_ = false;
  bool drop_oldest_ = false;
  pipe_ptr blocked_;  // the full peer a mandatory send waits for
  drop_counts drops_;
};

} // namespace

std::unique_ptr<socket_pattern> make_router(const socket_options& o) {
  return std::make_unique<router_pattern>(o);
}

} // namespace cafmq::patterns
