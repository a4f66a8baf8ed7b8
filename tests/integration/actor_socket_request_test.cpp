// The actor face's requests onto CAF's request(...).then(...) (runtime/actor_socket.hpp): REQ to
// a REP, REQ's retry after a lost request and its timeout (the socket can ask again after it),
// DEALER with many requests in flight matched by their envelope, a DEALER timeout, and a DEALER
// reply stuck behind a full stash of unrequested messages (timed_out says to grant credit).
#include "support/actor_face.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using ask_atom = caf::atom_constant<caf::atom("ask")>;

// An event-based client: for each (ask_atom, body) it asks `sock` with request().then() and
// reports (true, reply) or (false, error text) to `report`.
caf::behavior asker(caf::event_based_actor* self, socket_actor sock, caf::actor report,
                    caf::timespan timeout, int attempts) {
  return {
    [=](ask_atom, const std::string& body) {
      self->request(sock, std::chrono::seconds(30), request_atom::value, message{body}, timeout,
                    attempts)
        .then([=](const message& reply) { self->send(report, true, reply[0].to_string()); },
              [=](caf::error& e) { self->send(report, false, actor_error_text(e)); });
    },
  };
}

struct outcome {
  bool ok = false;
  std::string text = "no answer";
};

std::vector<outcome> answers(caf::scoped_actor& self, size_t n, std::chrono::milliseconds budget) {
  std::vector<outcome> out;
  test::deadline d{budget};
  while (out.size() < n && !d.expired())
    self->receive([&](bool ok, std::string& text) { out.push_back({ok, std::move(text)}); },
                  caf::after(d.remaining()) >> [] {});
  return out;
}

// A ROUTER that answers like a REP ("re:" + body, the envelope echoed) and drops the bodies
// that start with "drop" the first time it sees them.
class echo_router {
public:
  static constexpr int flood_size = 10;
  explicit echo_router(context& ctx) : router_{ctx, socket_type::router, test::no_linger()} {
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.last_endpoint();
    thread_ = std::thread([this] { serve(); });
  }
  ~echo_router() {
    stop_ = true;
    thread_.join();
  }
  const std::string& endpoint() const { return endpoint_; }
  int seen() const { return seen_.load(); }

private:
  void serve() {
    std::vector<std::string> dropped;
    while (!stop_) {
      auto m = router_.recv(20ms);
      if (!m)
        continue;
      ++seen_;
      auto body = (*m)[m->size() - 1].to_string();
      if (body.rfind("drop", 0) == 0
          && std::find(dropped.begin(), dropped.end(), body) == dropped.end()) {
        dropped.push_back(body);
        continue;
      }
      if (body.rfind("never", 0) == 0)
        continue;
      if (body.rfind("flood", 0) == 0)  // unrequested messages ahead of the reply
        for (int i = 0; i < flood_size; ++i) {
          message noise;
          noise.add((*m)[0]);  // the routing id
          noise.add(frame{"noise" + std::to_string(i)});
          router_.send(std::move(noise), 1000ms);
        }
      message reply;
      for (size_t i = 0; i + 1 < m->size(); ++i)
        reply.add((*m)[i]);
      reply.add(frame{"re:" + body});
      router_.send(std::move(reply), 1000ms);
    }
  }
  socket router_;
  std::string endpoint_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> seen_{0};
};

struct client {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  echo_router server{ctx};
  caf::scoped_actor self{system};
  socket_actor sock;
  caf::actor ask;
  client(socket_type type, caf::timespan timeout, int attempts, actor_socket_options face = {}) {
    sock = actor_socket::spawn(self.ptr(), ctx, type, test::no_linger(), face);
    auto ok = test::ask<caf::ok_atom>(self, sock, caf::connect_atom::value, server.endpoint());
    EXPECT_TRUE(ok);
    ask = system.spawn(asker, sock, caf::actor_cast<caf::actor>(self), timeout, attempts);
  }
  ~client() { caf::anon_send_exit(ask, caf::exit_reason::user_shutdown); }
};

TEST(ActorSocketRequest, ReqGetsItsReplyThroughThen) {
  client c{socket_type::req, caf::timespan{5s}, 1};
  for (int i = 0; i < 3; ++i)
    c.self->send(c.ask, ask_atom::value, "q" + std::to_string(i));
  auto got = answers(c.self, 3, 10000ms);
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {  // REQ: one at a time, in order
    EXPECT_TRUE(got[i].ok) << got[i].text;
    EXPECT_EQ(got[i].text, "re:q" + std::to_string(i));
  }
}

TEST(ActorSocketRequest, ReqRetriesALostRequestAndTimesOut) {
  client c{socket_type::req, caf::timespan{300ms}, 3};
  c.self->send(c.ask, ask_atom::value, std::string{"drop-once"});
  auto got = answers(c.self, 1, 10000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].ok) << got[0].text;
  EXPECT_EQ(got[0].text, "re:drop-once") << "the second attempt's reply";
  EXPECT_GE(c.server.seen(), 2) << "no retry reached the server";

  auto t0 = test::clock::now();
  c.self->send(c.ask, ask_atom::value, std::string{"never"});
  got = answers(c.self, 1, 10000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].ok);
  EXPECT_EQ(got[0].text.rfind("timed_out", 0), 0u) << got[0].text;
  EXPECT_GE(test::elapsed_ms(t0), 850) << "three attempts of 300 ms";
  EXPECT_LT(test::elapsed_ms(t0), 5000);

  c.self->send(c.ask, ask_atom::value, std::string{"after"});  // not stuck after a timeout
  got = answers(c.self, 1, 10000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text, "re:after");
}

TEST(ActorSocketRequest, DealerMatchesManyRequestsInFlight) {
  client c{socket_type::dealer, caf::timespan{5s}, 1};
  constexpr int n = 40;
  for (int i = 0; i < n; ++i)
    c.self->send(c.ask, ask_atom::value, "d" + std::to_string(i));
  auto got = answers(c.self, n, 10000ms);
  ASSERT_EQ(got.size(), static_cast<size_t>(n));
  std::set<std::string> texts;
  for (auto& o : got) {
    EXPECT_TRUE(o.ok) << o.text;
    texts.insert(o.text);
  }
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(texts.count("re:d" + std::to_string(i)), 1u) << i;
}

TEST(ActorSocketRequest, DealerRetriesAndTimesOut) {
  client c{socket_type::dealer, caf::timespan{300ms}, 2};
  c.self->send(c.ask, ask_atom::value, std::string{"drop-this"});
  c.self->send(c.ask, ask_atom::value, std::string{"never-this"});
  auto got = answers(c.self, 2, 10000ms);
  ASSERT_EQ(got.size(), 2u);
  std::map<bool, std::string> by_ok;
  for (auto& o : got)
    by_ok[o.ok] = o.text;
  EXPECT_EQ(by_ok[true], "re:drop-this");
  EXPECT_EQ(by_ok[false].rfind("timed_out", 0), 0u) << by_ok[false];
}

TEST(ActorSocketRequest, DealerReplyBehindAFullStashTimesOutSayingWhy) {
  actor_socket_options face;
  face.batch_max = 4;  // the stash: unrequested messages held without credit
  client c{socket_type::dealer, caf::timespan{1s}, 1, face};  // ample time for the noise to come
  c.self->send(c.ask, ask_atom::value, std::string{"flood"});
  auto got = answers(c.self, 1, 10000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].ok) << "the reply was read past the stash: " << got[0].text;
  EXPECT_EQ(got[0].text.rfind("timed_out", 0), 0u) << got[0].text;
  EXPECT_NE(got[0].text.find("grant credit"), std::string::npos) << got[0].text;

  // Credit lets everything through, in order: the noise, then the late (unmatched) reply.
  constexpr size_t total = echo_router::flood_size + 1;
  c.self->send(c.sock, credit_atom::value, 100);
  test::collected all;
  test::collect(c.self, all, total, 5000ms);
  ASSERT_EQ(all.items.size(), total);
  for (size_t i = 0; i + 1 < total; ++i)
    EXPECT_EQ(all.items[i].msg[0].to_string(), "noise" + std::to_string(i));
  auto& late = all.items.back().msg;
  EXPECT_EQ(late[late.size() - 1].to_string(), "re:flood");

  c.self->send(c.ask, ask_atom::value, std::string{"after"});  // with credit: answered
  got = answers(c.self, 1, 10000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].ok) << got[0].text;
  EXPECT_EQ(got[0].text, "re:after");
}

TEST(ActorSocketRequest, RefusedOnOtherSocketTypes) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  context ctx{system};
  caf::scoped_actor self{system};
  auto push = actor_socket::spawn(self.ptr(), ctx, socket_type::push, test::no_linger());
  auto r = test::ask<message>(self, push, request_atom::value, message{"x"}, caf::timespan{1s}, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(actor_error_text(r.error()).find("REQ or DEALER"), std::string::npos)
    << actor_error_text(r.error());
}

} // namespace
} // namespace cafmq
