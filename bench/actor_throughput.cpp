// 16 B PUSH -> PULL throughput over TCP into one CAF actor through the actor face
// (<cafmq/actor_socket.hpp>), next to the blocking face and libzmq in the same run, with ratios.
// --memory instead: a pusher offers 1 GiB (64 KiB messages) to an actor that grants no credit
// for a while, then drains it; the actor's process RSS must stay within the HWM's bytes (plus
// the credit window) and a constant.
//   bench_actor_throughput [--count N] [--runs R] [--window W] [--batch B] [--json]
//   bench_actor_throughput --memory [--memory-mib M] [--hwm N]
#include "bench_util.hpp"
#include "json_line.hpp"
#include "peers.hpp"
#include "support/rss.hpp"

#include "runtime/actor_socket.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
using bound_atom = caf::atom_constant<caf::atom("bound")>;
int credit_window = 8192;  // --window: credit the receiver keeps open
size_t batch_max = 2048;    // --batch: the face's batch_max

struct sink_state {
  size_t got = 0;
  clock_type::time_point first;
};

// Owns a PULL socket actor bound to `ep`, keeps `window` messages of credit open, and reports
// the seconds from the first batch to the last message (or only counts, with `window` 0 at
// first: the memory mode grants by message).
caf::behavior sink(caf::stateful_actor<sink_state>* self, cafmq::context* ctx,
                   const std::string& ep, size_t count, int window, cafmq::socket_options options,
                   const caf::actor& report) {
  cafmq::actor_socket_options face;
  face.batch_max = batch_max;
  auto sock = cafmq::actor_socket::spawn(self, *ctx, cafmq::socket_type::pull, std::move(options),
                                         face);
  self->request(sock, std::chrono::seconds(10), cafmq::bind_atom::value, ep)
    .then([=](std::string&) { self->send(report, bound_atom::value, sock); },
          [=](caf::error& e) { self->quit(e); });
  if (window > 0)
    self->send(sock, cafmq::credit_atom::value, window);
  return {
    [=](std::vector<cafmq::received>& batch) {
      auto& st = self->state;
      if (st.got == 0)
        st.first = clock_type::now();
      st.got += batch.size();
      if (st.got >= count) {
        self->send(report, std::chrono::duration<double>(clock_type::now() - st.first).count());
        self->quit();
        return;
      }
      self->send(sock, cafmq::credit_atom::value, static_cast<int>(batch.size()));
    },
  };
}

caf::actor_system_config& scheduler(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("sharing"));  // mostly idle workers: no polling sleeps
  cfg.set("scheduler.max-threads", 2);
  return cfg;
}

// Seconds from the first batch to the last of `count` messages, received by an actor.
double actor_receive(const std::string& ep, size_t count) {
  caf::actor_system_config cfg;
  caf::actor_system system{scheduler(cfg)};
  cafmq::context ctx{system};
  caf::scoped_actor self{system};
  system.spawn(sink, &ctx, ep, count, credit_window, cafmq::socket_options{},
               caf::actor_cast<caf::actor>(self));
  double dt = -1;
  bool late = false;
  while (dt < 0 && !late)
    self->receive([](bound_atom, cafmq::socket_actor&) {}, [&](double d) { dt = d; },
                  caf::after(std::chrono::seconds(120)) >> [&] { late = true; });
  return dt;
}

enum class face { actor, blocking, libzmq };
const char* name(face f) {
  return f == face::actor ? "actor" : f == face::blocking ? "blocking" : "libzmq";
}

double one_run(face f, size_t count) {
  auto ep = bench::free_endpoint();
  auto peer = f == face::libzmq ? bench::impl::libzmq : bench::impl::cafmq;
  double dt = bench::fork_and_measure(
    [&] {
      return f == face::actor ? actor_receive(ep, count) : bench::receive(peer, ep, 16, count);
    },
    [&] { bench::send(peer, ep, 16, count); });
  return dt > 0 ? static_cast<double>(count - 1) / dt : 0;
}

int throughput(int argc, char** argv, FILE* out, bool json) {
  size_t count = bench::size_arg(argc, argv, "--count", 5'000'000);
  credit_window = static_cast<int>(bench::size_arg(argc, argv, "--window", 8192));
  batch_max = bench::size_arg(argc, argv, "--batch", 2048);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  std::vector<face> faces{face::actor, face::blocking, face::libzmq};
  std::vector<double> best(faces.size(), 0);
  std::fprintf(out, "16 B PUSH -> PULL over TCP loopback into one actor, %zu messages, best of "
                    "%d rounds (rotating order); credit window %d, batch_max %zu\n",
               count, runs, credit_window, batch_max);
  for (int round = 0; round < runs; ++round)
    for (size_t k = 0; k < faces.size(); ++k) {
      size_t i = (k + static_cast<size_t>(round)) % faces.size();
      best[i] = std::max(best[i], one_run(faces[i], count));
    }
  for (size_t i = 0; i < faces.size(); ++i) {
    std::fprintf(out, "  %-9s %8.3f M msg/s\n", name(faces[i]), best[i] / 1e6);
    if (json)
      bench::json_line("actor_throughput")
        .field("impl", name(faces[i]))
        .field("size", size_t{16})
        .field("count", count)
        .field("runs", runs)
        .field("msgs_per_s", best[i])
        .print();
  }
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::fprintf(out, "ratios: actor/blocking = %.2f (goal >= 0.50), actor/libzmq = %.2f (goal > 1)\n",
               ratio(best[0], best[1]), ratio(best[0], best[2]));
  return best[0] > 0 ? 0 : 1;
}

// -- memory mode ------------------------------------------------------------------------

// Pushes `n` messages of `size` bytes, waiting as long as the receiver holds back (up to 60 s
// per message); 1 once all are sent.
double push_all(const std::string& ep, size_t size, size_t n, size_t hwm) {
  cafmq::context ctx;
  cafmq::socket_options o;
  o.sndhwm = hwm;
  cafmq::socket push{ctx, cafmq::socket_type::push, o};
  push.connect(ep);
  std::vector<char> payload(size, 'x');
  for (size_t i = 0; i < n; ++i)
    if (!push.send(cafmq::message{cafmq::frame{payload.data(), size}}, 60s))
      return -1;
  push.close();
  return 1;
}

int memory(int argc, char** argv, FILE* out) {
  constexpr size_t size = 64 * 1024;
  size_t total = bench::size_arg(argc, argv, "--memory-mib", 1024) << 20;
  size_t hwm = bench::size_arg(argc, argv, "--hwm", 100);
  size_t n = total / size;
  auto ep = bench::free_endpoint();
  size_t baseline = 0, stalled_peak = 0, peak = 0;
  bool drained = false;
  double pushed = bench::fork_and_measure(
    [&] { return push_all(ep, size, n, hwm); },
    [&] {
      caf::actor_system_config cfg;
      caf::actor_system system{scheduler(cfg)};
      cafmq::context ctx{system};
      cafmq::socket_options o;
      o.rcvhwm = hwm;
      caf::scoped_actor self{system};
      system.spawn(sink, &ctx, ep, n, 0, o, caf::actor_cast<caf::actor>(self));
      cafmq::socket_actor sock;
      self->receive([&](bound_atom, cafmq::socket_actor& s) { sock = s; },
                    caf::after(std::chrono::seconds(10)) >> [] {});
      baseline = cafmq::test::resident_bytes();
      std::atomic<bool> sampling{true};
      std::atomic<size_t> max_rss{baseline};
      std::thread sampler([&] {
        while (sampling) {
          size_t r = cafmq::test::resident_bytes();
          if (r > max_rss)
            max_rss = r;
          std::this_thread::sleep_for(5ms);
        }
      });
      std::this_thread::sleep_for(3s);  // no credit: the pusher fills the HWMs and blocks
      stalled_peak = max_rss;
      anon_send(sock, cafmq::credit_atom::value, 64);  // then drain it all, 64 at a time
      self->receive([&](double) { drained = true; },
                    caf::after(std::chrono::seconds(300)) >> [] {});
      sampling = false;
      sampler.join();
      peak = max_rss;
    });
  auto mib = [](size_t b) { return static_cast<double>(b) / (1 << 20); };
  size_t hwm_bytes = hwm * size;
  size_t window_bytes = 64 * size;
  size_t constant = 64u << 20;
  bool ok = pushed > 0 && drained && peak - baseline <= hwm_bytes + window_bytes + constant;
  std::fprintf(out, "memory: %.0f MiB pushed at an actor in %zu B messages, RCVHWM %zu (%.1f MiB)\n"
                    "  RSS growth while it granted no credit: %.1f MiB; peak while draining: "
                    "%.1f MiB; bound HWM + credit window + %.0f MiB = %.1f MiB: %s\n",
               mib(n * size), size, hwm, mib(hwm_bytes), mib(stalled_peak - baseline),
               mib(peak - baseline), mib(constant), mib(hwm_bytes + window_bytes + constant),
               ok ? "within" : "EXCEEDED or failed");
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_actor_throughput [--count N] [--runs R] [--window W] [--batch B] "
              "[--json]\n"
              "       bench_actor_throughput --memory [--memory-mib M] [--hwm N]");
    return 0;
  }
  bool json = bench::has_flag(argc, argv, "--json");
  FILE* out = bench::human_output(json);
  if (bench::has_flag(argc, argv, "--memory"))
    return memory(argc, argv, out);
  return throughput(argc, argv, out, json);
}
