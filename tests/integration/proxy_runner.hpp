// A cafmq::proxy on its own thread with an inproc PAIR control socket, for the proxy tests.
#pragma once

#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace cafmq::test {

class proxy_runner {
public:
  /// Starts proxy(frontend, backend, capture, control) on a thread; the sockets are used by
  /// that thread only from now on.
  proxy_runner(context& ctx, socket& frontend, socket& backend, socket* capture = nullptr)
    : control_(ctx, socket_type::pair, no_linger()), steer_(ctx, socket_type::pair, no_linger()) {
    static std::atomic<int> next{0};
    auto ep = "inproc://proxy-control-" + std::to_string(next++);
    control_.bind(ep);
    steer_.connect(ep);
    thread_ = std::thread([this, &frontend, &backend, capture] {
      try {
        result_ = proxy(frontend, backend, capture, &control_);
      } catch (const error& e) {
        failure_ = e.what();
      }
      done_ = true;
    });
  }
  ~proxy_runner() {
    if (thread_.joinable()) {
      try {
        if (!done_)
          steer_.send(message{"TERMINATE"}, std::chrono::seconds(5));
      } catch (const error&) {  // NOLINT(bugprone-empty-catch): the context is gone, the loop ends
      }
      thread_.join();
    }
  }
  proxy_runner(const proxy_runner&) = delete;
  proxy_runner& operator=(const proxy_runner&) = delete;

  /// Sends a command to the proxy.
  bool command(const char* word) { return steer_.send(message{word}, std::chrono::seconds(5)); }
  /// STATISTICS, parsed; nullopt if no reply came in time.
  std::optional<proxy_statistics> statistics() {
    if (!command("STATISTICS"))
      return std::nullopt;
    auto reply = steer_.recv(std::chrono::seconds(5));
    return reply ? parse_statistics(*reply) : std::nullopt;
  }
  /// Sends TERMINATE and waits for the proxy to return.
  proxy_result terminate() {
    command("TERMINATE");
    return join();
  }
  /// Waits for the proxy to return.
  proxy_result join() {
    if (thread_.joinable())
      thread_.join();
    return result_;
  }
  bool done() const { return done_; }
  const std::string& failure() const { return failure_; }

private:
  socket control_;  // the proxy's end
  socket steer_;    // the test's end
  std::thread thread_;
  std::atomic<bool> done_{false};
  proxy_result result_;
  std::string failure_;
};

} // namespace cafmq::test
