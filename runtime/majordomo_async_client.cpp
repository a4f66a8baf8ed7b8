// mdp::async_client: the zguide's mdcliapi2, requests and replies apart on one DEALER.
#include "runtime/majordomo.hpp"

#include "patterns/mdp_codec.hpp"
#include "runtime/majordomo_common.hpp"
#include "runtime/socket.hpp"

namespace cafmq::mdp {

namespace codec = patterns::mdp;
using detail::clock;
using detail::until;

struct async_client::state {
  std::string endpoint;
  socket sock;
  client_stats stats;

  state(context& ctx, std::string broker, socket_options options)
    : endpoint(std::move(broker)), sock(ctx, socket_type::dealer, no_linger(std::move(options))) {
    sock.connect(endpoint);
  }

  static socket_options no_linger(socket_options o) {
    o.linger_ms = 0;  // what is queued for a broker that is gone is dropped at close
    return o;
  }
};

async_client::async_client(context& ctx, std::string broker_endpoint, socket_options options)
  : state_(std::make_unique<state>(ctx, std::move(broker_endpoint), std::move(options))) {}

async_client::~async_client() = default;
async_client::async_client(async_client&&) noexcept = default;
async_client& async_client::operator=(async_client&&) noexcept = default;

bool async_client::send(std::string_view service, const message& body,
                        std::chrono::milliseconds timeout) {
  if (!state_)
    throw error{errc::socket_closed, "mdp::async_client::send: the client was moved from"};
  detail::check_request("mdp::async_client::send", service, body);
  if (timeout.count() < 0)
    throw error{errc::invalid_argument, "mdp::async_client::send: the timeout must not be negative"};
  if (!state_->sock.send(codec::client_request(service, body, true), timeout))
    return false;
  ++state_->stats.requests;
  ++state_->stats.sent;
  return true;
}

std::optional<reply> async_client::recv(std::chrono::milliseconds timeout) {
  if (!state_)
    throw error{errc::socket_closed, "mdp::async_client::recv: the client was moved from"};
  if (timeout.count() < 0)
    throw error{errc::invalid_argument, "mdp::async_client::recv: the timeout must not be negative"};
  auto deadline = clock::now() + timeout;
  codec::client_message in;
  for (;;) {
    auto m = state_->sock.recv(until(deadline));
    if (!m)
      return std::nullopt;
    if (codec::parse_client_reply(*m, true, in) == codec::fault::none) {
      ++state_->stats.answered;
      return reply{std::move(in.service), std::move(in.body)};
    }
    ++state_->stats.discarded;
  }
}

const client_stats& async_client::stats() const noexcept {
  static const client_stats none;
  return state_ ? state_->stats : none;
}

} // namespace cafmq::mdp
