// A ZAP handler (RFC 27) written against libzmq, for interop tests: a REP socket on
// inproc://zeromq.zap.01 in a libzmq context, answering in its own thread until destroyed.
#pragma once

#include "interop/zmq_peer.hpp"

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace cafmq::test::zmq {

/// The verdict for one ZAP request: status code ("200", "400"...) and user id.
struct zap_verdict {
  std::string status = "400";
  std::string user_id;
};

/// Serves ZAP requests for every secured socket of `ctx` with `decide` (mechanism, credentials).
class zap_handler {
public:
  using decider = std::function<zap_verdict(const std::string& mechanism,
                                            const std::vector<std::string>& credentials)>;
  /// Binds `endpoint`: libzmq's own servers ask inproc://zeromq.zap.01; a cafmq zap_client
  /// can ask a tcp:// one.
  zap_handler(context& ctx, decider decide,
              const std::string& endpoint = "inproc://zeromq.zap.01")
    : rep_(ctx, ZMQ_REP), decide_(std::move(decide)) {
    rep_.bind(endpoint);
    thread_ = std::thread([this] { serve(); });
  }
  ~zap_handler() {
    stop_ = true;
    thread_.join();
  }
  zap_handler(const zap_handler&) = delete;
  zap_handler& operator=(const zap_handler&) = delete;

  /// The bound endpoint (the real port of a tcp://...:* bind).
  std::string endpoint() const { return rep_.last_endpoint(); }
  /// Requests answered so far.
  int answered() const noexcept { return answered_.load(); }

private:
  void serve() {
    while (!stop_) {
      auto request = rep_.recv(std::chrono::milliseconds(20));  // a stop check each 20 ms
      if (!request || request->size() < 6)
        continue;
      // version, request id, domain, address, identity, mechanism, credentials...
      auto& r = *request;
      std::vector<std::string> credentials(r.begin() + 6, r.end());
      auto verdict = decide_(r[5], credentials);
      ++answered_;  // before the reply: whoever sees its effect sees the count
      rep_.send({"1.0", r[1], verdict.status, verdict.status == "200" ? "OK" : "denied",
                 verdict.user_id, ""});
    }
  }

  socket rep_;
  decider decide_;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

} // namespace cafmq::test::zmq
