// Lazy Pirate (the zguide, chapter 4): reliable request-reply from the client side alone. The
// client sends a request and polls for the reply with a timeout; when none comes it closes its
// REQ socket (a REQ that lost its reply can never send again), opens a new one and sends the
// request again, a few times before it gives up.
//
// One cafmq::poller watches three things at once:
//   * the REQ socket: the reply;
//   * a SUB socket on which the server announces its restarts, so the client resends at once
//     instead of waiting out its timeout;
//   * a self-pipe that SIGINT and SIGTERM write to, so Ctrl-C ends the client cleanly.
// The server runs on a thread of its own in this process. It "crashes" on every third request
// it receives: it closes its REP socket, the request in hand lost, and binds a new one at the
// same address; it announces every other restart and keeps quiet about the rest.
//
// Exits 0 when every request got its right reply (and the server's crashes were survived).
#include <cafmq/cafmq.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

constexpr int requests = 10;
constexpr auto request_timeout = 1000ms;
constexpr int attempts = 5;  // per request, the first one included

// -- the unreliable server --

cafmq::socket_options no_linger() {
  cafmq::socket_options o;
  o.linger_ms = 0;
  return o;
}

// Binds a new REP at `endpoint`: the old one's port may take a moment to be free again.
cafmq::socket restart(cafmq::context& ctx, const std::string& endpoint) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    cafmq::socket rep{ctx, cafmq::socket_type::rep, no_linger()};
    try {
      rep.bind(endpoint);
      return rep;
    } catch (const cafmq::error& e) {
      if (e.code() != cafmq::errc::address_in_use || std::chrono::steady_clock::now() > deadline)
        throw;
    }
    std::this_thread::sleep_for(10ms);
  }
}

// Answers "request N" with "reply N", crashing on every third request. Runs until `stop`.
void serve(cafmq::context& ctx, cafmq::socket rep, cafmq::socket news,
           const std::atomic<bool>& stop) {
  std::string endpoint = rep.last_endpoint();
  int received = 0;
  int crashes = 0;
  while (!stop) {
    auto request = rep.recv(100ms);
    if (!request)
      continue;
    if (++received % 3 == 0) {
      ++crashes;
      std::cout << "S: crash with \"" << (*request)[0].to_string() << "\" in hand\n";
      rep.close();  // the request in hand is lost with it
      rep = restart(ctx, endpoint);
      if (crashes % 2 == 1)
        news.send(cafmq::message{"restarted"});
      continue;
    }
    std::string body = (*request)[0].to_string();
    rep.send(cafmq::message{"reply" + body.substr(body.find(' '))});
  }
}

// -- the client --

int interrupt_pipe[2] = {-1, -1};

extern "C" void on_signal(int) {
  ssize_t ignored = ::write(interrupt_pipe[1], "!", 1);  // async-signal-safe
  (void)ignored;
}

cafmq::socket open_client(cafmq::context& ctx, const std::string& endpoint) {
  cafmq::socket client{ctx, cafmq::socket_type::req, no_linger()};
  client.connect(endpoint);
  return client;
}

struct lazy_pirate {
  cafmq::context& ctx;
  std::string endpoint;
  cafmq::socket& news;
  cafmq::socket client;
  cafmq::poller poller;  // after the sockets it watches: destroyed before them
  int resends = 0;

  lazy_pirate(cafmq::context& c, std::string server, cafmq::socket& announcements)
    : ctx(c), endpoint(std::move(server)), news(announcements),
      client(open_client(ctx, endpoint)) {
    poller.add(client, cafmq::poll_in);
    poller.add(news, cafmq::poll_in);
    poller.add_fd(interrupt_pipe[0], cafmq::poll_in);
  }

  // Lazy Pirate's retry: the REQ that lost its reply is closed, a fresh one sends again.
  void resend(const std::string& request) {
    poller.remove(client);  // a socket is removed from its poller before it is replaced
    client = open_client(ctx, endpoint);
    poller.add(client, cafmq::poll_in);
    client.send(cafmq::message{request});
    ++resends;
  }

  // Sends request `seq` until its reply comes; false if the server seems gone or we were
  // interrupted.
  bool request(int seq) {
    std::string request = "request " + std::to_string(seq);
    std::string expected = "reply " + std::to_string(seq);
    client.send(cafmq::message{request});
    for (int attempt = 1; attempt <= attempts;) {
      auto deadline = std::chrono::steady_clock::now() + request_timeout;
      bool resend_now = false;
      while (!resend_now) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
        auto ready = poller.wait(std::max(left, 0ms));
        if (ready.empty())
          break;  // timed out
        for (auto& e : ready) {
          if (e.fd == interrupt_pipe[0]) {
            std::cout << "C: interrupted\n";
            return false;
          }
          if (e.sock == &news) {
            while (auto notice = news.recv(0ms))
              std::cout << "C: the server says \"" << (*notice)[0].to_string() << "\"\n";
            resend_now = true;
          } else if (e.sock == &client) {
            auto reply = client.recv(0ms);
            if (reply && (*reply)[0].to_string() == expected) {
              std::cout << "C: " << expected << "\n";
              return true;
            }
            std::cout << "C: malformed reply, ignored\n";
          }
        }
      }
      if (++attempt > attempts)
        break;
      std::cout << "C: no reply to \"" << request << "\""
                << (resend_now ? " (server restarted)" : " within the timeout")
                << ", sending it again on a new socket\n";
      resend(request);
    }
    std::cout << "C: the server seems to be offline, giving up\n";
    return false;
  }
};

} // namespace

int main() {
  if (::pipe2(interrupt_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
    return 1;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  cafmq::context ctx;
  cafmq::socket rep{ctx, cafmq::socket_type::rep, no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  cafmq::socket pub{ctx, cafmq::socket_type::pub, no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  cafmq::socket news{ctx, cafmq::socket_type::sub, no_linger()};
  news.subscribe("");
  news.connect(pub.last_endpoint());
  if (!pub.wait_subscribers(1, 5s)) {
    std::cerr << "the announcement channel did not come up\n";
    return 1;
  }
  std::string endpoint = rep.last_endpoint();

  // The server's sockets move to its thread: from here on they are used there alone.
  std::atomic<bool> stop{false};
  std::thread server{serve, std::ref(ctx), std::move(rep), std::move(pub), std::cref(stop)};

  int answered = 0;
  int resends = 0;
  {
    lazy_pirate client{ctx, endpoint, news};
    while (answered < requests && client.request(answered + 1))
      ++answered;
    resends = client.resends;
  }
  stop = true;
  server.join();

  std::cout << answered << " of " << requests << " requests answered, " << resends
            << " sent again\n";
  // Every request answered, through the server's crashes (it crashes on every third request,
  // so a run without a resend did not show what it claims to).
  return answered == requests && resends > 0 ? 0 : 1;
}
