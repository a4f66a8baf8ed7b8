#include "round_trip_peers.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace bench {

namespace {

using clock_type = std::chrono::steady_clock;

void check(int rc, const char* what) {
  if (rc < 0)
    throw std::runtime_error(std::string(what) + ": " + zmq_strerror(zmq_errno()));
}

} // namespace

double zmq_echo(const std::string& endpoint, size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* rep = zmq_socket(ctx, ZMQ_REP);
  check(zmq_bind(rep, endpoint.c_str()), "zmq_bind");
  std::vector<char> buf(size + 1);
  for (size_t i = 0; i < count + round_trip_warm_up; ++i) {
    int n = zmq_recv(rep, buf.data(), buf.size(), 0);
    check(n, "zmq_recv");
    check(zmq_send(rep, buf.data(), static_cast<size_t>(n), 0), "zmq_send");
  }
  zmq_close(rep);
  zmq_ctx_term(ctx);
  return 1;
}

double cafmq_echo(const std::string& endpoint, size_t count) {
  cafmq::context ctx;
  cafmq::socket rep{ctx, cafmq::socket_type::rep};
  rep.bind(endpoint);
  for (size_t i = 0; i < count + round_trip_warm_up; ++i) {
    auto m = rep.recv(std::chrono::seconds(30));
    if (!m)
      throw std::runtime_error("cafmq REP: no request");
    rep.send(std::move(*m));
  }
  rep.close();
  return 1;
}

double zmq_round_trips(const std::string& endpoint, size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* req = zmq_socket(ctx, ZMQ_REQ);
  check(zmq_connect(req, endpoint.c_str()), "zmq_connect");
  std::vector<char> payload(size, 'x'), buf(size + 1);
  clock_type::time_point t0;
  for (size_t i = 0; i < count + round_trip_warm_up; ++i) {
    if (i == round_trip_warm_up)
      t0 = clock_type::now();
    check(zmq_send(req, payload.data(), payload.size(), 0), "zmq_send");
    check(zmq_recv(req, buf.data(), buf.size(), 0), "zmq_recv");
  }
  double us = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count()
              / static_cast<double>(count);
  int linger = 0;
  zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
  zmq_close(req);
  zmq_ctx_term(ctx);
  return us;
}

double cafmq_round_trips(const std::string& endpoint, size_t size, size_t count) {
  cafmq::context ctx;
  cafmq::socket req{ctx, cafmq::socket_type::req};
  req.connect(endpoint);
  std::string payload(size, 'x');
  clock_type::time_point t0;
  for (size_t i = 0; i < count + round_trip_warm_up; ++i) {
    if (i == round_trip_warm_up)
      t0 = clock_type::now();
    req.send(cafmq::message{cafmq::frame{payload.data(), payload.size()}});
    if (!req.recv(std::chrono::seconds(30)))
      throw std::runtime_error("cafmq REQ: no reply");
  }
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count()
         / static_cast<double>(count);
}

} // namespace bench
