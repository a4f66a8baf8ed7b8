// An Asio coroutine server and its clients in one program, on one io_context (C++20): a ROUTER
// server answers each request with its number doubled; three DEALER clients each co_await 1000
// round trips and check every answer. Exits 0 once all answers were right, 1 on a wrong answer
// or if it takes longer than 20 s.
#include <cafmq/asio.hpp>
#include <cafmq/cafmq.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

constexpr int clients = 3;
constexpr int rounds = 1000;

// Closing waits up to the linger on the io_context's thread (libzmq's default, -1: until every
// queued message went, forever if the peer is gone): 0 discards them and never blocks it.
cafmq::socket_options no_linger() {
  cafmq::socket_options o;
  o.linger_ms = 0;
  return o;
}

// Answers every request [routing id, number] with [routing id, 2 * number], until cancelled.
awaitable<void> serve(cafmq::asio::async_socket& router) {
  for (;;) {
    boost::system::error_code ec;
    cafmq::message request = co_await cafmq::asio::async_receive(
      router, boost::asio::redirect_error(use_awaitable, ec));
    if (ec == boost::asio::error::operation_aborted)
      co_return;  // router.cancel(): the clients are done
    long n = std::stol(request[1].to_string());
    cafmq::message reply;
    reply.add(request[0]);  // the routing id: back to the client that asked
    reply.add(cafmq::frame{std::to_string(2 * n)});
    co_await cafmq::asio::async_send(router, std::move(reply), use_awaitable);
  }
}

// True if `reply` is 2 * n; says what was wrong if not.
bool answers(int n, const cafmq::message& reply) {
  if (reply.size() == 1 && reply[0].to_string() == std::to_string(2 * n))
    return true;
  std::printf("wrong answer to %d: %s\n", n, reply.empty() ? "" : reply[0].to_string().c_str());
  return false;
}

// Sends `rounds` requests one after another and checks each answer; counts the clients done.
awaitable<void> ask(cafmq::asio::async_socket& dealer, int& done, bool& wrong) {
  for (int i = 0; i < rounds; ++i) {
    int n = static_cast<int>(dealer.native().options().routing_id.size()) * 1000 + i;
    cafmq::message request{std::to_string(n)};
    co_await cafmq::asio::async_send(dealer, std::move(request), use_awaitable);
    cafmq::message reply = co_await cafmq::asio::async_receive(dealer, use_awaitable);
    if (!answers(n, reply)) {
      wrong = true;
      co_return;
    }
  }
  ++done;
}

// Returns the exit status.
int run() {
  boost::asio::io_context io;
  cafmq::context ctx;
  cafmq::asio::async_socket router{io, ctx, cafmq::socket_type::router, no_linger()};
  router.native().bind("tcp://127.0.0.1:*");

  std::vector<cafmq::asio::async_socket> dealers;
  dealers.reserve(clients);
  for (int c = 0; c < clients; ++c) {
    auto options = no_linger();
    options.routing_id = std::string(static_cast<size_t>(c + 1), 'c');  // told apart by length
    dealers.emplace_back(io, ctx, cafmq::socket_type::dealer, options);
    dealers.back().native().connect(router.native().last_endpoint());
  }

  int done = 0;
  bool wrong = false;
  boost::asio::steady_timer deadline{io, std::chrono::seconds(20)};
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec)
      io.stop();  // too slow: main reports the failure
  });
  boost::asio::co_spawn(io, serve(router), boost::asio::detached);
  for (auto& dealer : dealers)
    boost::asio::co_spawn(io, [&]() -> awaitable<void> {
      co_await ask(dealer, done, wrong);
      if (done == clients || wrong) {
        deadline.cancel();
        router.cancel();  // ends the server's pending receive: run() returns
      }
    }, boost::asio::detached);
  io.run();

  if (wrong || done != clients) {
    std::printf("FAILED: %d of %d clients finished\n", done, clients);
    return 1;
  }
  std::printf("%d clients x %d round trips through a coroutine ROUTER server: all answers right\n",
              clients, rounds);
  return 0;
}

} // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
}
