// The two kinds of scenario ends (a cafmq socket, a libzmq socket) behind one interface, and
// the interpreter that plays a scenario's steps for the sides played in this process.
#pragma once

#include "interop/scenarios.hpp"
#include "interop/zmq_peer.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cafmq::test {

using namespace std::chrono_literals;

/// Every wait of a scenario step is bounded by this.
constexpr auto step_budget = 5000ms;

/// One side of a connection: a cafmq socket or a libzmq socket behind the same calls.
class end {
public:
  virtual ~end() = default;
  /// Binds `ep` ("tcp://127.0.0.1:*" picks a port); returns the endpoint to connect to.
  virtual std::string bind(const std::string& ep) = 0;
  virtual void connect(const std::string& ep) = 0;
  virtual void send(const frames& f) = 0;
  virtual std::optional<frames> recv(std::chrono::milliseconds timeout) = 0;
  /// SUB only: subscribes to `prefix`.
  virtual void subscribe(const std::string& prefix) = 0;
};

class cafmq_end final : public end {
public:
  cafmq_end(context& ctx, socket_type t, const std::string& id) : s_(ctx, t, options(id)) {}
  std::string bind(const std::string& ep) override {
    s_.bind(ep);
    return s_.last_endpoint();
  }
  void connect(const std::string& ep) override { s_.connect(ep); }
  void send(const frames& f) override {
    message m;
    for (auto& x : f)
      m.add(frame{x});
    ASSERT_TRUE(s_.send(std::move(m), step_budget)) << "cafmq send timed out";
  }
  std::optional<frames> recv(std::chrono::milliseconds timeout) override {
    auto m = s_.recv(timeout);
    if (!m)
      return std::nullopt;
    return frames_of(*m);
  }
  void subscribe(const std::string& prefix) override { s_.subscribe(prefix); }

private:
  static socket_options options(const std::string& id) {
    auto o = no_linger();
    o.routing_id = id;
    return o;
  }
  socket s_;
};

inline int zmq_type(socket_type t) {
  switch (t) {
    case socket_type::pair: return ZMQ_PAIR;
    case socket_type::pub: return ZMQ_PUB;
    case socket_type::sub: return ZMQ_SUB;
    case socket_type::req: return ZMQ_REQ;
    case socket_type::rep: return ZMQ_REP;
    case socket_type::dealer: return ZMQ_DEALER;
    case socket_type::router: return ZMQ_ROUTER;
    case socket_type::pull: return ZMQ_PULL;
    case socket_type::push: return ZMQ_PUSH;
    case socket_type::xpub: return ZMQ_XPUB;
    case socket_type::xsub: return ZMQ_XSUB;
    case socket_type::stream: return ZMQ_STREAM;
  }
  return -1;
}

class zmq_end final : public end {
public:
  zmq_end(zmq::context& ctx, socket_type t, const std::string& id) : s_(ctx, zmq_type(t)) {
    if (!id.empty() && zmq_setsockopt(s_.get(), ZMQ_ROUTING_ID, id.data(), id.size()) != 0)
      zmq::fail("ZMQ_ROUTING_ID");
  }
  std::string bind(const std::string& ep) override {
    s_.bind(ep);
    return s_.last_endpoint();
  }
  void connect(const std::string& ep) override { s_.connect(ep); }
  void send(const frames& f) override { ASSERT_TRUE(s_.send(f)) << "libzmq send failed"; }
  std::optional<frames> recv(std::chrono::milliseconds timeout) override {
    return s_.recv(timeout);
  }
  void subscribe(const std::string& prefix) override {
    if (zmq_setsockopt(s_.get(), ZMQ_SUBSCRIBE, prefix.data(), prefix.size()) != 0)
      zmq::fail("ZMQ_SUBSCRIBE");
  }

private:
  zmq::socket s_;
};


/// Where the sides of a scenario are played.
struct scenario_sides {
  std::function<end*(char)> local;            ///< the end playing side 'a'/'b' here, or nullptr
  std::function<bool()> partner_confirmed;    ///< a remote recv_first has its message
  std::function<void()> confirm;              ///< tell a remote send_until we have ours
};

/// Plays the local sides' steps in order (fatal gtest failures on a mismatch or timeout).
inline void play(const std::vector<step>& steps, const scenario_sides& sides) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    end* me = sides.local(s.side);
    if (me == nullptr)
      continue;
    SCOPED_TRACE("step " + std::to_string(i) + " by side " + std::string(1, s.side));
    switch (s.kind) {
      case step_kind::send:
        me->send(s.message);
        break;
      case step_kind::recv:
        ASSERT_EQ(me->recv(step_budget), s.message);
        break;
      case step_kind::send_until: {
        // Repeat until the receiver of the next step (recv_first) has one.
        const auto& first = steps.at(i + 1);
        end* receiver = sides.local(first.side);
        deadline d{step_budget};
        std::optional<frames> got;
        bool confirmed = false;
        while (!confirmed && !d.expired()) {
          me->send(s.message);
          if (receiver != nullptr) {
            got = receiver->recv(20ms);
            confirmed = got.has_value();
          } else {
            confirmed = eventually(sides.partner_confirmed, 20ms, 1ms);
          }
        }
        ASSERT_TRUE(confirmed) << "nothing arrived within " << step_budget.count() << " ms";
        if (receiver != nullptr) {
          ASSERT_EQ(got, first.message);
          ++i;  // that recv_first is done
        }
        break;
      }
      case step_kind::recv_first:  // its sender is remote: confirm once ours is here
        ASSERT_EQ(me->recv(step_budget), s.message);
        sides.confirm();
        break;
      case step_kind::recv_pumping: {
        end* other = sides.local(s.side == 'a' ? 'b' : 'a');
        deadline d{step_budget};
        std::optional<frames> got;
        while (!got && !d.expired()) {
          got = me->recv(20ms);
          if (!got && other != nullptr) {
            ASSERT_EQ(other->recv(0ms), std::nullopt) << "the other side got something early";
          }
        }
        ASSERT_EQ(got, s.message);
        break;
      }
      case step_kind::recv_skip: {
        auto got = me->recv(step_budget);
        while (got && *got == s.skip)
          got = me->recv(step_budget);
        ASSERT_EQ(got, s.message);
        break;
      }
    }
  }
}

} // namespace cafmq::test
