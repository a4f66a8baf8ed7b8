// REQ -> REP round trip over TCP loopback between two processes through the Asio face: the REQ
// is a C++20 coroutine that co_awaits async_send and async_receive (use_awaitable) on an
// io_context, next to the blocking face's REQ and libzmq's in the same run, against the same
// kind of echo (a cafmq REP for both cafmq faces, a libzmq REP for libzmq). Goal: the coroutine
// within 1.1x the blocking face. Also a bare coroutine that waits on the readiness descriptor
// (the mechanism the face does not use), to compare the two ways of waking an io_context. Each figure is the best of R runs; the three alternate.
//   bench_asio_round_trip [--count N] [--size B] [--runs R] [--json]
#include "bench_util.hpp"
#include "json_line.hpp"
#include "round_trip_peers.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

// fd_wait is not a face: a coroutine waiting on the readiness descriptor itself
// (stream_descriptor::async_wait), the other way an Asio face could wait, measured beside it.
enum class face { libzmq, blocking, coroutine, fd_wait };
constexpr face faces[] = {face::libzmq, face::blocking, face::coroutine, face::fd_wait};
constexpr int face_count = 4;

const char* name(face f) {
  switch (f) {
  case face::libzmq:
    return "libzmq";
  case face::blocking:
    return "cafmq-blocking";
  case face::coroutine:
    return "cafmq-asio-coroutine";
  case face::fd_wait:
    return "cafmq-readiness-fd-wait";
  }
  return "?";
}

boost::asio::awaitable<void> ask(cafmq::asio::async_socket& req, size_t size, size_t count,
                                 clock_type::time_point& t0, clock_type::time_point& t1) {
  std::string payload(size, 'x');
  for (size_t i = 0; i < count + bench::round_trip_warm_up; ++i) {
    if (i == bench::round_trip_warm_up)
      t0 = clock_type::now();
    cafmq::message request{cafmq::frame{payload.data(), payload.size()}};
    co_await cafmq::asio::async_send(req, std::move(request), boost::asio::use_awaitable);
    co_await cafmq::asio::async_receive(req, boost::asio::use_awaitable);
  }
  t1 = clock_type::now();
}

// Microseconds per round trip of a REQ coroutine on its own io_context.
double coroutine_round_trips(const std::string& endpoint, size_t size, size_t count) {
  boost::asio::io_context io{1};
  cafmq::context ctx;
  cafmq::asio::async_socket req{io, ctx, cafmq::socket_type::req};
  req.native().connect(endpoint);
  clock_type::time_point t0, t1;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, ask(req, size, count, t0, t1),
                        [&](std::exception_ptr e) { failure = std::move(e); });
  io.run();
  if (failure)
    std::rethrow_exception(failure);
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(count);
}

boost::asio::awaitable<void> ask_by_descriptor(cafmq::socket& req, size_t size, size_t count,
                                               clock_type::time_point& t0,
                                               clock_type::time_point& t1) {
  boost::asio::posix::stream_descriptor ready{co_await boost::asio::this_coro::executor};
  ready.assign(req.readiness_fd(cafmq::poll_in));
  std::string payload(size, 'x');
  for (size_t i = 0; i < count + bench::round_trip_warm_up; ++i) {
    if (i == bench::round_trip_warm_up)
      t0 = clock_type::now();
    cafmq::message request{cafmq::frame{payload.data(), payload.size()}};
    req.send(std::move(request));
    while (!req.recv(std::chrono::milliseconds(0)))
      co_await ready.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                boost::asio::use_awaitable);
  }
  t1 = clock_type::now();
  ready.release();  // the socket owns the descriptor
}

// Microseconds per round trip of a REQ coroutine that waits on the readiness descriptor.
double descriptor_round_trips(const std::string& endpoint, size_t size, size_t count) {
  boost::asio::io_context io{1};
  cafmq::context ctx;
  cafmq::socket req{ctx, cafmq::socket_type::req};
  req.connect(endpoint);
  clock_type::time_point t0, t1;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, ask_by_descriptor(req, size, count, t0, t1),
                        [&](std::exception_ptr e) { failure = std::move(e); });
  io.run();
  if (failure)
    std::rethrow_exception(failure);
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(count);
}

// The mean round trip of one run in microseconds, 0 if the run failed.
double one_run(face f, size_t size, size_t count) {
  auto ep = bench::free_endpoint();
  double us = 0;
  double ok = bench::fork_and_measure(
    [&] { return f == face::libzmq ? bench::zmq_echo(ep, size, count) : bench::cafmq_echo(ep, count); },
    [&] {
      switch (f) {
      case face::libzmq:
        us = bench::zmq_round_trips(ep, size, count);
        break;
      case face::blocking:
        us = bench::cafmq_round_trips(ep, size, count);
        break;
      case face::coroutine:
        us = coroutine_round_trips(ep, size, count);
        break;
      case face::fd_wait:
        us = descriptor_round_trips(ep, size, count);
        break;
      }
    });
  return ok > 0 && us > 0 ? us : 0;
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_asio_round_trip [--count N] [--size B] [--runs R] [--json]");
    return 0;
  }
  size_t count = bench::size_arg(argc, argv, "--count", 20000);
  size_t size = bench::size_arg(argc, argv, "--size", 16);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  bool json = bench::has_flag(argc, argv, "--json");
  FILE* out = bench::human_output(json);
  std::fprintf(out, "REQ/REP round trip over TCP loopback, two processes, %zu B, %zu round trips, "
                    "best of %d runs\n", size, count, runs);
  std::vector<double> each[face_count];
  for (int r = 0; r < runs; ++r)  // alternately: all meet the same moments of a busy machine
    for (face f : faces)
      each[static_cast<int>(f)].push_back(one_run(f, size, count));
  double best[face_count];
  for (face f : faces) {
    int i = static_cast<int>(f);
    best[i] = bench::best_run(each[i], true);
    std::fprintf(out, "  %-24s %8.1f us per round trip\n", name(f), best[i]);
    if (json)
      bench::json_line("asio_round_trip")
        .field("impl", name(f))
        .field("size", size)
        .field("count", count)
        .field("runs", runs)
        .field("us_per_round_trip", best[i])
        .field("run_us", each[i])
        .print();
  }
  double z = best[0], b = best[1], c = best[2];
  std::fprintf(out, "ratio: coroutine/blocking round trip = %.2fx (goal <= 1.1x, lower is better)\n",
               b > 0 ? c / b : 0.0);
  std::fprintf(out, "ratio: coroutine/libzmq round trip = %.2fx\n", z > 0 ? c / z : 0.0);
  std::fprintf(out, "ratio: descriptor wait/blocking round trip = %.2fx (the other mechanism)\n",
               b > 0 ? best[3] / b : 0.0);
  return z > 0 && b > 0 && c > 0 && best[3] > 0 ? 0 : 1;
}
