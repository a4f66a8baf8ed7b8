// Demo: an actor-based service on the CAF actor face (<cafmq/actor_socket.hpp>). A front-end
// actor owns a ROUTER socket actor and dispatches each request to a pool of CAF worker actors
// under a supervisor that restarts a worker when it crashes. Client actors ask through their
// own DEALER or REQ socket actors with request(...).then(...). One request makes a worker throw
// mid-run: the supervisor restarts it, the front end retries that request, and every client
// still gets the right reply to every request. Exit 0 only then. Run without arguments.
#include <cafmq/actor_socket.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using work_atom = caf::atom_constant<caf::atom("work")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using restarts_atom = caf::atom_constant<caf::atom("restarts")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

constexpr int workers = 3;
constexpr int clients = 4;
constexpr int requests_per_client = 25;
constexpr const char* crash_body = "boom";  // the first worker to get it throws (once)

// A socket actor closes with its linger when its owner ends. The default (-1) waits forever for
// a peer that may never come back, holding up the actor system's shutdown: bound it.
cafmq::socket_options bounded_linger() {
  cafmq::socket_options o;
  o.linger_ms = 1000;
  return o;
}

// -- workers and their supervisor ------------------------------------------------------------

caf::behavior worker(caf::event_based_actor* self,
                     const std::shared_ptr<std::atomic<bool>>& crashed) {
  // An exception ends the actor with an error (CAF's default handler would also print it).
  self->set_exception_handler([](caf::scheduled_actor*, std::exception_ptr&) -> caf::error {
    return caf::sec::runtime_error;
  });
  return {
    [crashed](work_atom, const std::string& body) -> std::string {
      if (body == crash_body && !crashed->exchange(true))
        throw std::runtime_error("worker crashed on purpose");  // the actor dies with an error
      return "done:" + body;
    },
  };
}

struct supervisor_state {
  std::vector<caf::actor> pool;
  size_t next = 0;
  int restarts = 0;
};

// one_for_one over monitors (CAF 0.17 has no supervisor): a worker that ends with an error is
// replaced by a fresh one in the same slot. Work is handed round-robin with delegate(): the
// worker answers the front end directly.
caf::behavior supervisor(caf::stateful_actor<supervisor_state>* self,
                         const std::shared_ptr<std::atomic<bool>>& crashed) {
  auto start = [self, crashed] {
    auto w = self->spawn(worker, crashed);
    self->monitor(w);
    return w;
  };
  for (int i = 0; i < workers; ++i)
    self->state.pool.push_back(start());
  self->set_down_handler([self, start](caf::down_msg& dm) {
    for (auto& w : self->state.pool) {
      if (w.address() != dm.source)
        continue;
      if (dm.reason && dm.reason != caf::exit_reason::user_shutdown) {
        w = start();
        ++self->state.restarts;
        std::cout << "supervisor: a worker crashed (" << self->system().render(dm.reason)
                  << "), restarted it\n";
      }
    }
  });
  return {
    [self](work_atom a, const std::string& body) {
      auto& st = self->state;
      auto w = st.pool[st.next++ % st.pool.size()];
      return self->delegate(w, a, body);
    },
    [self](restarts_atom) { return self->state.restarts; },
    [self](stop_atom) {
      for (auto& w : self->state.pool)
        self->send_exit(w, caf::exit_reason::user_shutdown);
      self->quit();
    },
  };
}

// -- the front end: a ROUTER socket actor ----------------------------------------------------

// The frames up to and including the empty delimiter: [routing id, request id, ""] from a
// DEALER or REQ client. The reply goes back behind the same envelope.
cafmq::message envelope_of(const cafmq::message& m, size_t& body_at) {
  cafmq::message env;
  body_at = 0;
  while (body_at < m.size()) {
    env.add(m[body_at]);
    if (m[body_at++].empty())
      break;
  }
  return env;
}

void dispatch(caf::event_based_actor* self, const cafmq::socket_actor& router,
              const caf::actor& pool, cafmq::message env, const std::string& body,
              int attempts_left) {
  self->request(pool, std::chrono::seconds(1), work_atom::value, body)
    .then(
      [=](std::string& reply) mutable {
        env.add(cafmq::frame{reply});
        self->send(router, cafmq::send_atom::value, env, caf::timespan{1s});
      },
      [=](caf::error&) {
        if (attempts_left > 1)  // the worker crashed (or was slow): ask again
          dispatch(self, router, pool, env, body, attempts_left - 1);
      });
}

caf::behavior front_end(caf::event_based_actor* self, cafmq::context* ctx,
                        const caf::actor& pool, const caf::actor& report) {
  auto router = cafmq::actor_socket::spawn(self, *ctx, cafmq::socket_type::router,
                                           bounded_linger());
  self->request(router, std::chrono::seconds(5), cafmq::bind_atom::value,
                std::string{"tcp://127.0.0.1:*"})
    .then([=](std::string& endpoint) { self->send(report, endpoint); },
          [=](caf::error& e) { self->quit(e); });
  self->send(router, cafmq::credit_atom::value, 64);
  return {
    [=](std::vector<cafmq::received>& batch) {
      for (auto& r : batch) {
        size_t body_at = 0;
        auto env = envelope_of(r.msg, body_at);
        if (body_at < r.msg.size())
          dispatch(self, router, pool, env, r.msg[body_at].to_string(), 3);
      }
      self->send(router, cafmq::credit_atom::value, static_cast<int>(batch.size()));
    },
    [=](caf::ok_atom) {},  // a reply was queued
    [=](stop_atom) { self->quit(); },  // the ROUTER closes when its owner ends
  };
}

// -- clients -----------------------------------------------------------------------------

struct client_state {
  int answered = 0;
  int correct = 0;
};

caf::behavior client(caf::stateful_actor<client_state>* self, cafmq::context* ctx,
                     cafmq::socket_type type, const std::string& endpoint, int id,
                     const caf::actor& report) {
  auto sock = cafmq::actor_socket::spawn(self, *ctx, type, bounded_linger());
  auto ask = [=](const std::string& body) {
    self->request(sock, std::chrono::seconds(20), cafmq::request_atom::value,
                  cafmq::message{body}, caf::timespan{3s}, 2)
      .then(
        [=](const cafmq::message& reply) {
          auto& st = self->state;
          ++st.answered;
          st.correct += reply.size() == 1 && reply[0].to_string() == "done:" + body ? 1 : 0;
          if (st.answered == requests_per_client) {
            self->send(report, done_atom::value, id, st.correct);
            self->quit();
          }
        },
        [=](caf::error& e) {
          std::cout << "client " << id << ": " << cafmq::actor_error_text(e) << "\n";
          self->send(report, done_atom::value, id, self->state.correct);
          self->quit();
        });
  };
  self->request(sock, std::chrono::seconds(5), caf::connect_atom::value, endpoint)
    .then(
      [=](caf::ok_atom) {
        for (int i = 0; i < requests_per_client; ++i) {
          bool crash_here = id == 0 && i == requests_per_client / 2;
          ask(crash_here ? std::string{crash_body}
                         : "c" + std::to_string(id) + "-r" + std::to_string(i));
        }
      },
      [=](caf::error& e) { self->quit(e); });
  return {[](int) {}};
}

} // namespace

int main() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system system{cfg};
  cafmq::context ctx{system};  // cafmq runs on this actor system
  auto crashed = std::make_shared<std::atomic<bool>>(false);
  int correct = 0;
  int restarts = 0;
  caf::actor pool;
  caf::actor front;
  {
    caf::scoped_actor self{system};
    pool = system.spawn(supervisor, crashed);
    front = system.spawn(front_end, &ctx, pool, caf::actor_cast<caf::actor>(self));
    std::string endpoint;
    self->receive([&](std::string& ep) { endpoint = ep; },
                  caf::after(std::chrono::seconds(10)) >> [] {});
    if (endpoint.empty()) {
      std::cerr << "the front end did not bind\n";
      return 1;
    }
    std::cout << "front end on " << endpoint << "\n";
    for (int id = 0; id < clients; ++id)
      system.spawn(client, &ctx, id == 0 ? cafmq::socket_type::req : cafmq::socket_type::dealer,
                   endpoint, id, caf::actor_cast<caf::actor>(self));
    int reports = 0;
    bool late = false;
    while (reports < clients && !late)
      self->receive(
        [&](done_atom, int id, int ok) {
          ++reports;
          correct += ok;
          std::cout << "client " << id << ": " << ok << "/" << requests_per_client
                    << " correct replies\n";
        },
        caf::after(std::chrono::seconds(20)) >> [&] { late = true; });
    self->request(pool, std::chrono::seconds(5), restarts_atom::value)
      .receive([&](int n) { restarts = n; }, [](caf::error&) {});
  }
  caf::anon_send(front, stop_atom::value);
  caf::anon_send(pool, stop_atom::value);
  bool ok = correct == clients * requests_per_client && crashed->load() && restarts >= 1;
  std::cout << correct << " of " << clients * requests_per_client << " replies correct, "
            << restarts << " worker restart(s): " << (ok ? "OK" : "FAILED") << "\n";
  return ok ? 0 : 1;
}
