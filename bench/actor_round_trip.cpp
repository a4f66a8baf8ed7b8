// REQ -> REP round trip over TCP loopback through the actor face (<cafmq/actor_socket.hpp>):
// an actor asks with request(...).then(...) and asks again from the continuation. Next to the
// blocking face and libzmq in the same run (each against its own REP echo in a child process),
// with ratios.
//   bench_actor_round_trip [--count N] [--size B] [--runs R] [--stealing] [--json]
#include "bench_util.hpp"
#include "json_line.hpp"
#include "round_trip_peers.hpp"

#include "runtime/actor_socket.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr size_t warm_up = bench::round_trip_warm_up;  // as the peers count it

double micros_since(clock_type::time_point t0, size_t count) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count()
         / static_cast<double>(count);
}

struct asker_state {
  size_t done = 0;
  clock_type::time_point t0;
};

// Asks `count + warm_up` times in a row, each from the previous one's continuation; reports the
// microseconds per round trip after the warm-up (or a negative number on an error).
caf::behavior asker(caf::stateful_actor<asker_state>* self, cafmq::context* ctx,
                    const std::string& ep, const cafmq::message& m, size_t count,
                    const caf::actor& report) {
  auto sock = cafmq::actor_socket::spawn(self, *ctx, cafmq::socket_type::req);
  auto next = std::make_shared<std::function<void()>>();
  *next = [=] {
    auto& st = self->state;
    if (st.done == warm_up)
      st.t0 = clock_type::now();
    if (st.done == count + warm_up) {
      self->send(report, micros_since(st.t0, count));
      self->quit();
      *next = nullptr;  // ends the cycle through the captured pointer
      return;
    }
    self->request(sock, std::chrono::seconds(30), cafmq::request_atom::value, m,
                  caf::timespan{std::chrono::seconds(30)}, 1)
      .then([=](const cafmq::message&) { ++self->state.done; (*next)(); },
            [=](caf::error&) { self->send(report, -1.0); self->quit(); });
  };
  self->request(sock, std::chrono::seconds(10), caf::connect_atom::value, ep)
    .then([=](caf::ok_atom) { (*next)(); }, [=](caf::error& e) { self->quit(e); });
  return {[](int) {}};
}

bool work_stealing = false;  // --stealing: CAF's default scheduler (its idle workers poll)

double actor_rounds(const std::string& ep, size_t size, size_t count) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", work_stealing ? caf::atom("stealing") : caf::atom("sharing"));
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system system{cfg};
  cafmq::context ctx{system};
  caf::scoped_actor self{system};
  system.spawn(asker, &ctx, ep, cafmq::message{cafmq::frame{std::string(size, 'x')}}, count,
               caf::actor_cast<caf::actor>(self));
  double us = -1;
  self->receive([&](double v) { us = v; }, caf::after(std::chrono::seconds(300)) >> [] {});
  return us;
}

enum class face { actor, blocking, libzmq };
const char* name(face f) {
  return f == face::actor ? "actor" : f == face::blocking ? "blocking" : "libzmq";
}

double one_run(face f, size_t size, size_t count) {
  auto ep = bench::free_endpoint();
  double us = 0;
  double ok = bench::fork_and_measure(
    [&] { return f == face::libzmq ? bench::zmq_echo(ep, size, count) : bench::cafmq_echo(ep, count); },
    [&] {
      us = f == face::actor      ? actor_rounds(ep, size, count)
           : f == face::blocking ? bench::cafmq_round_trips(ep, size, count)
                                 : bench::zmq_round_trips(ep, size, count);
    });
  return ok > 0 && us > 0 ? us : 0;
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_actor_round_trip [--count N] [--size B] [--runs R] [--stealing] "
              "[--json]");
    return 0;
  }
  size_t count = bench::size_arg(argc, argv, "--count", 20'000);
  size_t size = bench::size_arg(argc, argv, "--size", 16);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  bool json = bench::has_flag(argc, argv, "--json");
  work_stealing = bench::has_flag(argc, argv, "--stealing");
  FILE* out = bench::human_output(json);
  std::vector<face> faces{face::actor, face::blocking, face::libzmq};
  std::vector<double> best(faces.size(), 0);
  std::fprintf(out, "REQ -> REP round trip over TCP loopback, %zu B, %zu round trips, best of %d "
                    "runs (rotating order)\n", size, count, runs);
  for (int round = 0; round < runs; ++round)
    for (size_t k = 0; k < faces.size(); ++k) {
      size_t i = (k + static_cast<size_t>(round)) % faces.size();
      double us = one_run(faces[i], size, count);
      if (us > 0 && (best[i] == 0 || us < best[i]))
        best[i] = us;
    }
  for (size_t i = 0; i < faces.size(); ++i) {
    std::fprintf(out, "  %-9s %8.1f us per round trip\n", name(faces[i]), best[i]);
    if (json)
      bench::json_line("actor_round_trip")
        .field("impl", name(faces[i]))
        .field("size", size)
        .field("count", count)
        .field("runs", runs)
        .field("us_per_round_trip", best[i])
        .print();
  }
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::fprintf(out, "ratios: actor/blocking = %.2fx (goal <= 1.2x), actor/libzmq = %.2fx\n",
               ratio(best[0], best[1]), ratio(best[0], best[2]));
  return best[0] > 0 ? 0 : 1;
}
