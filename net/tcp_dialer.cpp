// TCP dial over Asio: resolve, then connect to each address in turn, on the loop the connection
// will live on, from the source address if the endpoint names one ("tcp://src:port;dst:port").
// Failures carry their code from where they happen: a name that does not resolve is
// unreachable, an OS error maps by its errno value (refused, unreachable, timeout...).
#include "net/cloexec.hpp"
#include "net/tcp_interfaces.hpp"
#include "net/tcp_listener.hpp"
#include "net/tcp_stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <optional>
#include <variant>
#include <vector>

namespace cafmq::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct dial_state {
  // A dial in progress counts as a connection of its loop, so dials started together spread.
  dial_state(io_loop& l, const endpoint& ep, dial_fn fn)
    : loop(l), resolver(ctx()), socket(ctx()), name(ep.to_string()), source(ep.source),
      ipv6(ep.ipv6), done(std::move(fn)) {
    loop.count_connection(true);
  }
  ~dial_state() {
    boost::system::error_code ignored;
    socket.close(ignored);  // before the count wakes a listener waiting for a descriptor
    loop.count_connection(false);
  }
  dial_state(const dial_state&) = delete;
  dial_state& operator=(const dial_state&) = delete;
  asio::io_context& ctx() { return *static_cast<asio::io_context*>(loop.native()); }

  // Reports once; never after a cancel.
  void finish(stream_ptr s, const connection_end& end) {
    if (!done)
      return;
    auto fn = std::move(done);
    done = nullptr;
    fn(std::move(s), end);
  }

  io_loop& loop;
  tcp::resolver resolver;
  tcp::socket socket;
  std::string name;
  std::optional<tcp_source> source;
  bool ipv6;
  std::vector<tcp::endpoint> targets;  // resolved, tried in order
  size_t next = 0;
  connection_end last_failure;
  dial_fn done; // null once reported or cancelled
};

using dial_state_ptr = std::shared_ptr<dial_state>;

void try_next(const dial_state_ptr& st);

void on_connected(const dial_state_ptr& st, boost::system::error_code ec) {
  if (!st->done)
    return;
  if (ec) {
    st->last_failure = os_end(os_error(ec), "connect to " + st->name + " failed");
    return try_next(st);
  }
  st->socket.set_option(tcp::no_delay(true), ec);
  st->finish(std::make_shared<stream>(std::move(st->socket), st->loop), {});
}

// The source address for a connection to `target`, or why there is none.
std::variant<tcp::endpoint, std::string> source_for(const tcp_source& src,
                                                    const tcp::endpoint& target, bool ipv6) {
  auto family_any = target.address().is_v6() ? asio::ip::address(asio::ip::address_v6::any())
                                             : asio::ip::address(asio::ip::address_v4::any());
  if (src.host == "*")
    return tcp::endpoint{family_any, src.port};
  auto addr = interface_address(src.host, ipv6, target.address().is_v6());
  if (!addr) {
    boost::system::error_code ec;
    addr = asio::ip::make_address(src.host, ec);
    if (ec)
      return "source '" + src.host + "' is neither an address nor a network interface (there are: "
             + interface_names() + ")";
  }
  if (addr->is_v6() != target.address().is_v6())
    return "source " + addr->to_string() + " and " + target.address().to_string()
           + " are of different address families";
  return tcp::endpoint{*addr, src.port};
}

// Opens the socket for `target` and binds the source; an empty text on success.
std::string prepare_socket(const dial_state_ptr& st, const tcp::endpoint& target) {
  boost::system::error_code ec;
  st->socket.close(ec);
  st->socket.open(target.protocol(), ec);
  if (ec)
    return "cannot open a socket: " + ec.message();
  keep_from_children(st->socket.native_handle());
  if (!st->source)
    return {};
  auto src = source_for(*st->source, target, st->ipv6);
  if (auto* why = std::get_if<std::string>(&src))
    return *why;
  auto& local = std::get<tcp::endpoint>(src);
  // As libzmq: the same source port may connect to several servers.
  st->socket.set_option(tcp::socket::reuse_address(true), ec);
  st->socket.bind(local, ec);
  if (ec)
    return "cannot bind the source address " + format_endpoint(local) + ": " + ec.message();
  return {};
}

// Connects to the next resolved address; reports the last failure when none is left.
void try_next(const dial_state_ptr& st) {
  while (st->next < st->targets.size()) {
    auto target = st->targets[st->next++];
    auto why = prepare_socket(st, target);
    if (!why.empty()) {
      st->last_failure = transient_end(event_reason::unreachable,
                                       "connect to " + st->name + " failed: " + why);
      continue;
    }
    st->socket.async_connect(target, [st](boost::system::error_code ec) {
      guarded(
        "a dial handler", [&] { on_connected(st, ec); },
        [&](const connection_end& end) { st->finish(nullptr, end); });
    });
    return;
  }
  st->finish(nullptr, st->last_failure);
}

void on_resolved(const dial_state_ptr& st, boost::system::error_code ec,
                 const tcp::resolver::results_type& results) {
  if (!st->done)
    return;
  if (ec || results.empty()) { // a name that does not resolve: nobody to reach there
    auto why = ec ? ec.message() : std::string("no address");
    return st->finish(nullptr, transient_end(event_reason::unreachable,
                                             "cannot resolve the host of " + st->name + " ("
                                               + why + (st->ipv6 ? ")" : ", IPv4 only)")));
  }
  for (const auto& r : results)
    st->targets.push_back(r.endpoint());
  st->last_failure = transient_end(event_reason::unreachable, "no address to connect to");
  try_next(st);
}

} // namespace

cancel_fn dial_tcp(io_loop& home, const endpoint& ep, dial_fn done) {
  auto st = std::make_shared<dial_state>(home.pick_for_connection(), ep, std::move(done));
  asio::post(st->ctx(), [st, host = ep.host, port = std::to_string(ep.port)] {
    guarded(
      "a dial",
      [&] {
        if (!st->done)
          return;
        auto resolved = [st](boost::system::error_code ec,
                             const tcp::resolver::results_type& results) {
          guarded(
            "a dial handler", [&] { on_resolved(st, ec, results); },
            [&](const connection_end& end) { st->finish(nullptr, end); });
        };
        if (st->ipv6)
          st->resolver.async_resolve(host, port, std::move(resolved));
        else
          st->resolver.async_resolve(tcp::v4(), host, port, std::move(resolved));
      },
      [&](const connection_end& end) { st->finish(nullptr, end); });
  });
  return [st] {
    asio::post(st->ctx(), [st] {
      st->done = nullptr;
      boost::system::error_code ec;
      st->resolver.cancel();
      st->socket.close(ec);
    });
  };
}

} // namespace cafmq::net
