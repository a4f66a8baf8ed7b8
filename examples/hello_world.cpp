// Hello World (the zguide's hwserver and hwclient, chapter 1): request-reply with REQ and REP.
// The server binds a REP socket and answers every "Hello N" with "World N"; the client connects
// a REQ socket and sends its requests one at a time, each waiting for its reply. REQ and REP keep
// the turns: a REQ cannot send twice in a row, a REP cannot answer what it was not asked.
//
// The server runs on a thread of its own in this process and stops after `requests` replies.
// Exits 0 only if every request got its own reply.
#include <cafmq/cafmq.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {

constexpr int requests = 10;

// hwserver: answers "Hello N" with "World N", `requests` times, then returns.
void serve(cafmq::socket responder) {
  for (int i = 0; i < requests; ++i) {
    auto request = responder.recv(5s);
    if (!request)
      return;  // the client is gone: the client sees its missing replies
    std::string body = (*request)[0].to_string();
    std::cout << "S: received \"" << body << "\"\n";
    responder.send(cafmq::message{"World" + body.substr(body.find(' '))});
  }
}

} // namespace

int main() {
  cafmq::context ctx;
  cafmq::socket responder{ctx, cafmq::socket_type::rep};
  responder.bind("tcp://127.0.0.1:*");
  std::string endpoint = responder.last_endpoint();
  // The socket moves to the server's thread: from here on it is used there alone.
  std::thread server{serve, std::move(responder)};

  // hwclient
  cafmq::socket requester{ctx, cafmq::socket_type::req};
  requester.set_linger(0ms);  // a request left unanswered must not hold up the exit
  requester.connect(endpoint);
  int right = 0;
  for (int i = 1; i <= requests; ++i) {
    requester.send(cafmq::message{"Hello " + std::to_string(i)});
    auto reply = requester.recv(5s);
    if (!reply) {
      std::cout << "C: no reply to request " << i << "\n";
      break;
    }
    std::string body = (*reply)[0].to_string();
    std::cout << "C: received \"" << body << "\"\n";
    if (body == "World " + std::to_string(i))
      ++right;
  }
  server.join();

  std::cout << right << " of " << requests << " replies right\n";
  return right == requests ? 0 : 1;
}
