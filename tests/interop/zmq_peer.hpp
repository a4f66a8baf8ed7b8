// Thin RAII over the libzmq C API for interop tests: a context, sockets that never linger, and a
// monitor that reports connection events with deadlines.
#pragma once

#include <zmq.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cafmq::test::zmq {

[[noreturn]] inline void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + zmq_strerror(zmq_errno()));
}

/// A libzmq context, terminated on destruction (sockets must go first).
class context {
public:
  context() : ctx_(zmq_ctx_new()) {
    if (!ctx_)
      fail("zmq_ctx_new");
  }
  ~context() { zmq_ctx_term(ctx_); }
  context(const context&) = delete;
  context& operator=(const context&) = delete;
  void* get() const noexcept { return ctx_; }

private:
  void* ctx_;
};

/// A libzmq socket with ZMQ_LINGER 0 (closing never waits).
class socket {
public:
  socket(context& ctx, int type) : s_(zmq_socket(ctx.get(), type)) {
    if (!s_)
      fail("zmq_socket");
    set(ZMQ_LINGER, 0);
  }
  ~socket() { close(); }
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;

  void close() {
    if (s_)
      zmq_close(s_);
    s_ = nullptr;
  }
  void* get() const noexcept { return s_; }
  void set(int option, int value) {
    if (zmq_setsockopt(s_, option, &value, sizeof value) != 0)
      fail("zmq_setsockopt " + std::to_string(option));
  }
  void set(int option, const std::string& value) {
    if (zmq_setsockopt(s_, option, value.data(), value.size()) != 0)
      fail("zmq_setsockopt " + std::to_string(option));
  }
  void bind(const std::string& ep) {
    if (zmq_bind(s_, ep.c_str()) != 0)
      fail("zmq_bind " + ep);
  }
  void connect(const std::string& ep) {
    if (zmq_connect(s_, ep.c_str()) != 0)
      fail("zmq_connect " + ep);
  }
  /// ZMQ_LAST_ENDPOINT.
  std::string last_endpoint() const {
    char buf[256];
    size_t len = sizeof buf;
    if (zmq_getsockopt(s_, ZMQ_LAST_ENDPOINT, buf, &len) != 0)
      fail("ZMQ_LAST_ENDPOINT");
    return std::string(buf);
  }
  /// Sends all frames (MORE on all but the last); false on timeout (ZMQ_SNDTIMEO) or error.
  bool send(const std::vector<std::string>& frames, int flags = 0) {
    for (size_t i = 0; i < frames.size(); ++i) {
      int f = flags | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0);
      if (zmq_send(s_, frames[i].data(), frames[i].size(), f) < 0)
        return false;
    }
    return true;
  }
  /// Receives one whole message within `timeout`; nullopt on timeout.
  std::optional<std::vector<std::string>> recv(std::chrono::milliseconds timeout) {
    zmq_pollitem_t item{s_, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, static_cast<long>(timeout.count())) <= 0)
      return std::nullopt;
    std::vector<std::string> frames;
    for (;;) {
      zmq_msg_t msg;
      zmq_msg_init(&msg);
      if (zmq_msg_recv(&msg, s_, 0) < 0) {
        zmq_msg_close(&msg);
        return std::nullopt;
      }
      frames.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
      bool more = zmq_msg_more(&msg) != 0;
      zmq_msg_close(&msg);
      if (!more)
        return frames;
    }
  }

private:
  void* s_;
};

/// One socket-monitor event.
struct event {
  uint16_t id = 0;
  uint32_t value = 0;
  std::string endpoint;
};

/// Reads the events of a monitored socket (zmq_socket_monitor over inproc).
class monitor {
public:
  monitor(context& ctx, socket& watched, int events) : pair_(ctx, ZMQ_PAIR) {
    static int counter = 0;
    std::string ep = "inproc://cafmq-monitor-" + std::to_string(++counter);
    if (zmq_socket_monitor(watched.get(), ep.c_str(), events) != 0)
      fail("zmq_socket_monitor");
    pair_.connect(ep);
  }
  /// The next event within `timeout`, or nullopt.
  std::optional<event> next(std::chrono::milliseconds timeout) {
    auto m = pair_.recv(timeout);
    if (!m || m->size() != 2 || (*m)[0].size() != 6)
      return std::nullopt;
    event e;
    auto* p = reinterpret_cast<const uint8_t*>((*m)[0].data());
    e.id = static_cast<uint16_t>(p[0] | (p[1] << 8));
    e.value = static_cast<uint32_t>(p[2] | (p[3] << 8) | (p[4] << 16) | (uint32_t(p[5]) << 24));
    e.endpoint = (*m)[1];
    return e;
  }
  /// Waits for an event whose id is in `mask`; returns it, or nullopt at the deadline. Other
  /// events seen on the way are appended to `seen` if given.
  std::optional<event> wait_for(int mask, std::chrono::milliseconds timeout,
                                std::vector<event>* seen = nullptr) {
    auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      auto e = next(left);
      if (!e)
        return std::nullopt;
      if (seen)
        seen->push_back(*e);
      if (e->id & mask)
        return e;
    }
  }

private:
  socket pair_;
};

/// Name of an event id, for messages.
inline std::string event_name(uint16_t id) {
  switch (id) {
    case ZMQ_EVENT_CONNECTED: return "CONNECTED";
    case ZMQ_EVENT_CONNECT_DELAYED: return "CONNECT_DELAYED";
    case ZMQ_EVENT_CONNECT_RETRIED: return "CONNECT_RETRIED";
    case ZMQ_EVENT_LISTENING: return "LISTENING";
    case ZMQ_EVENT_ACCEPTED: return "ACCEPTED";
    case ZMQ_EVENT_CLOSED: return "CLOSED";
    case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
    case ZMQ_EVENT_MONITOR_STOPPED: return "MONITOR_STOPPED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "HANDSHAKE_FAILED_NO_DETAIL";
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "HANDSHAKE_FAILED_PROTOCOL";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "HANDSHAKE_FAILED_AUTH";
    default: return "event " + std::to_string(id);
  }
}

/// All event names in `events`, comma-separated.
inline std::string describe(const std::vector<event>& events) {
  std::string s;
  for (auto& e : events)
    s += (s.empty() ? "" : ", ") + event_name(e.id);
  return s.empty() ? "(none)" : s;
}

} // namespace cafmq::test::zmq
