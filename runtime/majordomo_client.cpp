// mdp::client: RFC 7's client with the zguide's mdcliapi retries, on a DEALER.
#include "runtime/majordomo.hpp"

#include "patterns/mdp_codec.hpp"
#include "runtime/majordomo_common.hpp"
#include "runtime/socket.hpp"

namespace cafmq::mdp {

namespace codec = patterns::mdp;
using detail::clock;
using detail::until;
using std::chrono::milliseconds;

namespace {

void validate(const client_options& o) {
  if (o.timeout.count() <= 0)
    throw error{errc::invalid_argument,
                "mdp::client: timeout must be positive, not " + std::to_string(o.timeout.count())
                  + " ms"};
  if (o.retries < 0)
    throw error{errc::invalid_argument,
                "mdp::client: retries must not be negative, not " + std::to_string(o.retries)};
}

} // namespace

struct client::state {
  context& ctx;
  std::string endpoint;
  client_options options;
  std::unique_ptr<socket> sock;  // null after a timeout until the next attempt
  client_stats stats;

  state(context& c, std::string ep, client_options o)
    : ctx(c), endpoint(std::move(ep)), options(std::move(o)) {
    validate(options);
    options.socket.linger_ms = 0;  // what an abandoned socket holds is dropped at once
    connect();
  }

  void connect() {
    auto s = std::make_unique<socket>(ctx, socket_type::dealer, options.socket);
    s->connect(endpoint);
    sock = std::move(s);
  }

  // Closes the socket: whatever it received or will receive late is never read.
  void abandon() { sock.reset(); }

  // One attempt: send, then wait for a reply of `service` until `deadline`, dropping others.
  std::optional<message> attempt(std::string_view service, const message& body) {
    auto deadline = clock::now() + options.timeout;
    if (!sock)
      connect();
    if (!sock->send(codec::client_request(service, body, true), until(deadline)))
      return std::nullopt;  // no connection took it in time
    ++stats.sent;
    codec::client_message reply;
    for (;;) {
      auto m = sock->recv(until(deadline));
      if (!m)
        return std::nullopt;
      if (codec::parse_client_reply(*m, true, reply) == codec::fault::none
          && reply.service == service)
        return std::move(reply.body);
      ++stats.discarded;
    }
  }
};

client::client(context& ctx, std::string broker_endpoint, client_options options)
  : state_(std::make_unique<state>(ctx, std::move(broker_endpoint), std::move(options))) {}

client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

std::optional<message> client::request(std::string_view service, const message& body) {
  if (!state_)
    throw error{errc::socket_closed, "mdp::client::request: the client was moved from"};
  detail::check_request("mdp::client::request", service, body);
  auto& st = *state_;
  ++st.stats.requests;
  for (int attempt = 0; attempt <= st.options.retries; ++attempt) {
    if (attempt > 0)
      ++st.stats.retried;
    if (auto reply = st.attempt(service, body)) {
      ++st.stats.answered;
      return reply;
    }
    st.abandon();
  }
  ++st.stats.timed_out;
  return std::nullopt;
}

const client_stats& client::stats() const noexcept {
  static const client_stats none;
  return state_ ? state_->stats : none;
}

} // namespace cafmq::mdp
