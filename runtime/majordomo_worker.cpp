// mdp::worker: RFC 7's worker with the zguide's mdwrkapi heartbeats and reconnects, on a DEALER.
// recv() is the only place time passes: it sends the due HEARTBEATs, takes the broker for dead
// after liveness x interval of silence, and replaces the socket after reconnect_delay.
#include "runtime/majordomo.hpp"

#include "patterns/mdp_codec.hpp"
#include "runtime/majordomo_common.hpp"
#include "runtime/socket.hpp"

#include <algorithm>
#include <thread>

namespace cafmq::mdp {

namespace codec = patterns::mdp;
using detail::clock;
using detail::until;
using std::chrono::milliseconds;

namespace {

void validate(const std::string& service, const worker_options& o) {
  auto bad = [](const std::string& what) { throw error{errc::invalid_argument, "mdp::worker: " + what}; };
  if (service.empty())
    bad("the service name is empty");
  if (o.heartbeat_interval.count() <= 0)
    bad("heartbeat_interval must be positive, not " + std::to_string(o.heartbeat_interval.count())
        + " ms");
  if (o.liveness < 1)
    bad("liveness must be at least 1, not " + std::to_string(o.liveness));
  if (o.reconnect_delay.count() < 0)
    bad("reconnect_delay must not be negative, not " + std::to_string(o.reconnect_delay.count())
        + " ms");
}

} // namespace

struct worker::state {
  context& ctx;
  std::string endpoint;
  std::string service;
  worker_options options;
  std::unique_ptr<socket> sock;   // null between losing the broker and reconnecting
  uint64_t connection = 0;        // counts sockets; a request carries the one it came on
  clock::time_point connect_at;   // when the next socket may connect (while sock is null)
  clock::time_point next_heartbeat;
  clock::time_point broker_expiry;  // the broker is dead if silent until then
  worker_stats stats;
  bool closed = false;

  state(context& c, std::string ep, std::string svc, worker_options o)
    : ctx(c), endpoint(std::move(ep)), service(std::move(svc)), options(std::move(o)) {
    validate(service, options);
    options.socket.reconnect_stop |= reconnect_stop_after_disconnect;
    options.socket.linger_ms = 0;  // close() sets a bounded linger for its DISCONNECT
    connect();
  }

  milliseconds silence_allowed() const { return options.heartbeat_interval * options.liveness; }

  void connect() {
    auto s = std::make_unique<socket>(ctx, socket_type::dealer, options.socket);
    s->connect(endpoint);
    sock = std::move(s);
    ++connection;
    ++stats.connects;
    auto now = clock::now();
    broker_expiry = now + silence_allowed();
    next_heartbeat = now + options.heartbeat_interval;
    sock->send(codec::worker_ready(service), milliseconds{0});
  }

  // The broker is gone (silent, or it said DISCONNECT): a new socket after reconnect_delay.
  void lose_broker() {
    sock.reset();
    connect_at = clock::now() + options.reconnect_delay;
  }

  void heartbeat_if_due() {
    auto now = clock::now();
    if (now < next_heartbeat)
      return;
    if (sock->send(codec::worker_signal(codec::command::heartbeat), milliseconds{0}))
      ++stats.heartbeats_sent;
    next_heartbeat = now + options.heartbeat_interval;
  }

  // Handles one message from the broker; a request is returned.
  std::optional<request> take(const message& m) {
    broker_expiry = clock::now() + silence_allowed();  // any message shows the broker alive
    codec::worker_message in;
    if (codec::parse_worker_inbound(m, in) != codec::fault::none) {
      ++stats.discarded;
      return std::nullopt;
    }
    switch (in.cmd) {
    case codec::command::request:
      ++stats.requests;
      return request{std::move(in.client), std::move(in.body), connection};
    case codec::command::heartbeat:
      ++stats.heartbeats_received;
      break;
    case codec::command::disconnect:
      ++stats.disconnects;
      lose_broker();
      break;
    default:
      ++stats.discarded;  // the codec lets no other command through
      break;
    }
    return std::nullopt;
  }

  std::optional<request> recv(milliseconds timeout) {
    auto deadline = clock::now() + timeout;
    for (;;) {
      if (!sock) {
        if (clock::now() < connect_at) {
          if (clock::now() >= deadline)
            return std::nullopt;
          std::this_thread::sleep_for(until(std::min(connect_at, deadline)));
          continue;
        }
        connect();
      }
      heartbeat_if_due();
      // What already arrived counts before the broker is judged silent: after a long handler
      // (or a stalled thread) its heartbeats are waiting here, read.
      while (clock::now() >= broker_expiry && sock) {
        auto m = sock->recv(milliseconds{0});
        if (!m)
          break;
        if (auto req = take(*m))
          return req;
      }
      if (!sock)
        continue;  // a DISCONNECT was waiting
      if (clock::now() >= broker_expiry) {
        ++stats.expiries;
        lose_broker();
        continue;
      }
      auto wake = std::min({next_heartbeat, broker_expiry, deadline});
      if (auto m = sock->recv(until(wake))) {
        if (auto req = take(*m))
          return req;
      } else if (clock::now() >= deadline) {
        return std::nullopt;
      }
    }
  }

  bool reply(const request& req, const message& body) {
    if (!sock || req.connection != connection) {
      ++stats.stale_replies;
      return false;
    }
    if (!sock->send(codec::worker_reply(req.client, body), options.heartbeat_interval)) {
      ++stats.stale_replies;
      return false;
    }
    ++stats.replies;
    return true;
  }

  void close() {
    if (closed)
      return;
    closed = true;
    if (!sock)
      return;
    sock->set_linger(options.heartbeat_interval);
    sock->send(codec::worker_signal(codec::command::disconnect), milliseconds{0});
    sock->close();
    sock.reset();
  }

  void require_open(const char* call) const {
    if (closed)
      throw error{errc::socket_closed, std::string{"mdp::worker::"} + call + ": the worker is closed"};
  }
};

worker::worker(context& ctx, std::string broker_endpoint, std::string service,
               worker_options options)
  : state_(std::make_unique<state>(ctx, std::move(broker_endpoint), std::move(service),
                                   std::move(options))) {}

worker::~worker() {
  if (!state_)
    return;
  try {
    state_->close();
  } catch (...) {  // the context is gone: nothing left to tell the broker
  }
}

worker::worker(worker&&) noexcept = default;
worker& worker::operator=(worker&&) noexcept = default;

std::optional<request> worker::recv(milliseconds timeout) {
  if (!state_)
    throw error{errc::socket_closed, "mdp::worker::recv: the worker was moved from"};
  state_->require_open("recv");
  if (timeout.count() < 0)
    throw error{errc::invalid_argument, "mdp::worker::recv: the timeout must not be negative"};
  return state_->recv(timeout);
}

bool worker::reply(const request& req, const message& body) {
  if (!state_)
    throw error{errc::socket_closed, "mdp::worker::reply: the worker was moved from"};
  state_->require_open("reply");
  if (body.empty())
    throw error{errc::invalid_argument, "mdp::worker::reply: the body has no frames"};
  return state_->reply(req, body);
}

void worker::run(const std::function<message(const request&)>& handler,
                 const std::atomic<bool>& stop) {
  if (!state_)
    throw error{errc::socket_closed, "mdp::worker::run: the worker was moved from"};
  auto wake = std::min(milliseconds{100}, state_->options.heartbeat_interval);
  while (!stop.load(std::memory_order_acquire))
    if (auto req = recv(wake))
      reply(*req, handler(*req));
}

void worker::close() {
  if (state_)
    state_->close();
}

const std::string& worker::service() const noexcept {
  static const std::string none;
  return state_ ? state_->service : none;
}

const worker_stats& worker::stats() const noexcept {
  static const worker_stats none;
  return state_ ? state_->stats : none;
}

} // namespace cafmq::mdp
