// Paranoid Pirate (the zguide, chapter 4; RFC 6): a queue that knows which workers are alive,
// workers that heartbeat it, and a lazy pirate client that resends a request that got no reply.
//
//   client (REQ) -> [frontend | ppp::queue | backend] <- worker "steady" (ppp::worker)
//                                                    <- worker "crashy" (ppp::worker)
//
// The queue and the steady worker run on threads they own (start()). The crashy worker runs on
// a thread of ours with recv()/reply(): on its third request it "crashes" (its ppp::worker is
// destroyed with the request in hand, no reply, no goodbye), comes back a moment later as a new
// worker, and sends READY again. The queue stops giving it requests once it has been silent
// for liveness x interval; the client resends the lost request and gets it answered.
//
// Exits 0 when every request got its right reply, the crash happened and the queue removed the
// dead worker.
#include <cafmq/cafmq.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {

constexpr int requests = 12;
constexpr auto request_timeout = 1500ms;
constexpr int attempts = 4;  // per request, the first one included

cafmq::ppp::worker_options worker_timing() {
  cafmq::ppp::worker_options o;
  o.liveness = 3;
  o.heartbeat_interval = 200ms;
  o.reconnect_initial = 200ms;
  o.reconnect_max = 1600ms;
  return o;
}

cafmq::message answer(const cafmq::message& body) {
  std::string text = body[0].to_string();
  return cafmq::message{"reply" + text.substr(text.find(' '))};
}

// Serves until `stop`, crashing once on its third request and coming back as a new worker.
void crashy_worker(cafmq::context& ctx, const std::string& backend, const std::atomic<bool>& stop,
                   std::atomic<bool>& crashed) {
  int served = 0;
  while (!stop) {
    cafmq::ppp::worker w{ctx, backend, worker_timing()};
    bool went_down = false;
    while (!stop) {
      auto request = w.recv(100ms);
      if (!request)
        continue;
      if (++served == 3 && !crashed) {
        std::cout << "W: crash with \"" << request->body[0].to_string() << "\" in hand\n";
        crashed = true;
        went_down = true;
        break;  // the worker is destroyed: no reply, no goodbye
      }
      w.reply(*request, answer(request->body));
    }
    if (went_down)
      std::this_thread::sleep_for(1s);  // down for a while, then back with READY
  }
}

// The lazy pirate client: a new REQ per attempt (a REQ that lost its reply can never send
// again); true when the right reply came.
bool lazy_pirate_request(cafmq::context& ctx, const std::string& frontend, int seq, int& resends) {
  std::string request = "request " + std::to_string(seq);
  std::string expected = "reply " + std::to_string(seq);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    cafmq::socket_options o;
    o.linger_ms = 0;
    cafmq::socket client{ctx, cafmq::socket_type::req, o};
    client.connect(frontend);
    client.send(cafmq::message{request});
    auto reply = client.recv(request_timeout);
    if (reply && (*reply)[0].to_string() == expected) {
      std::cout << "C: " << expected << "\n";
      return true;
    }
    std::cout << "C: no reply to \"" << request << "\", sending it again\n";
    ++resends;
  }
  return false;
}

} // namespace

int main() {
  cafmq::context ctx;
  cafmq::ppp::queue_options queue_timing;
  queue_timing.liveness = 3;
  queue_timing.heartbeat_interval = 200ms;
  cafmq::ppp::queue queue{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", queue_timing};
  queue.start();

  cafmq::ppp::worker steady{ctx, queue.backend_endpoint(), worker_timing()};
  steady.start(answer);
  std::atomic<bool> stop{false};
  std::atomic<bool> crashed{false};
  std::thread crashy{crashy_worker, std::ref(ctx), queue.backend_endpoint(), std::cref(stop),
                     std::ref(crashed)};

  int answered = 0;
  int resends = 0;
  while (answered < requests && lazy_pirate_request(ctx, queue.frontend_endpoint(), answered + 1, resends))
    ++answered;

  stop = true;
  crashy.join();
  steady.stop();
  queue.stop();
  auto s = queue.stats();
  std::cout << answered << " of " << requests << " requests answered, " << resends
            << " sent again; the queue removed " << s.workers_expired << " dead worker(s), "
            << s.requests_forwarded << " requests forwarded\n";
  return answered == requests && crashed && resends > 0 && s.workers_expired >= 1 ? 0 : 1;
}
