// Sender and receiver loops for cafmq, libzmq and raw TCP (raw TCP is the floor for large
// messages: the same bytes with no framing or queues).
#include "peers.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace bench {

namespace {

using clock = std::chrono::steady_clock;

bool curve = false;
// libzmq's published test keys (zmq_curve(7)).
const char* const server_public = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const char* const server_secret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
const char* const client_public = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const char* const client_secret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

cafmq::socket_options cafmq_options(bool server) {
  cafmq::socket_options o;
  if (curve && server) {
    o.curve_server = true;
    o.curve_secretkey = server_secret;
  } else if (curve) {
    o.curve_serverkey = server_public;
    o.curve_publickey = client_public;
    o.curve_secretkey = client_secret;
  }
  return o;
}

void zmq_secure(void* s, bool server) {
  if (!curve)
    return;
  auto set = [s](int option, const char* key) { zmq_setsockopt(s, option, key, 40); };
  if (server) {
    int one = 1;
    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
    set(ZMQ_CURVE_SECRETKEY, server_secret);
  } else {
    set(ZMQ_CURVE_SERVERKEY, server_public);
    set(ZMQ_CURVE_PUBLICKEY, client_public);
    set(ZMQ_CURVE_SECRETKEY, client_secret);
  }
}

double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}

double cafmq_receive(const std::string& ep, size_t count) {
  cafmq::context ctx;
  cafmq::socket pull{ctx, cafmq::socket_type::pull, cafmq_options(true)};
  pull.bind(ep);
  if (!pull.recv())
    throw std::runtime_error("cafmq: no first message");
  auto t0 = clock::now();
  for (size_t i = 1; i < count; ++i)
    if (!pull.recv())
      throw std::runtime_error("cafmq: recv failed");
  return seconds_since(t0);
}

void cafmq_send(const std::string& ep, size_t size, size_t count) {
  cafmq::context ctx;
  cafmq::socket push{ctx, cafmq::socket_type::push, cafmq_options(false)};
  push.connect(ep);
  std::vector<char> payload(size, 'x');
  auto keep = [](void*, void*) {};
  for (size_t i = 0; i < count; ++i) {
    // Large payloads are sent zero-copy (as the raw TCP and libzmq senders do); small ones copied.
    if (size > cafmq::frame::inline_capacity)
      push.send(cafmq::message{cafmq::frame::zero_copy(payload.data(), size, keep)});
    else
      push.send(cafmq::message{cafmq::frame{payload.data(), size}});
  }
  push.close();
}

double zmq_receive(const std::string& ep, size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* pull = zmq_socket(ctx, ZMQ_PULL);
  zmq_secure(pull, true);
  zmq_bind(pull, ep.c_str());
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  zmq_msg_recv(&msg, pull, 0);
  auto t0 = clock::now();
  for (size_t i = 1; i < count; ++i)
    if (zmq_msg_recv(&msg, pull, 0) != static_cast<int>(size))
      throw std::runtime_error("libzmq: recv failed");
  double dt = seconds_since(t0);
  zmq_msg_close(&msg);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return dt;
}

void zmq_send_all(const std::string& ep, size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* push = zmq_socket(ctx, ZMQ_PUSH);
  zmq_secure(push, false);
  zmq_connect(push, ep.c_str());
  std::vector<char> payload(size, 'x');
  for (size_t i = 0; i < count; ++i) {
    if (size > 32) {  // zero-copy, like the cafmq sender; libzmq copies up to 33 bytes anyway
      zmq_msg_t msg;
      zmq_msg_init_data(&msg, payload.data(), size, nullptr, nullptr);
      zmq_msg_send(&msg, push, 0);
    } else {
      zmq_send(push, payload.data(), size, 0);
    }
  }
  zmq_close(push);  // default linger: everything is written before term returns
  zmq_ctx_term(ctx);
}

sockaddr_in parse_tcp(const std::string& ep) {
  auto colon = ep.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(ep.substr(colon + 1))));
  inet_pton(AF_INET, ep.substr(6, colon - 6).c_str(), &addr.sin_addr);
  return addr;
}

double tcp_receive(const std::string& ep, size_t size, size_t count) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto addr = parse_tcp(ep);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 1) != 0)
    throw std::runtime_error("tcp: bind failed");
  int fd = accept(lfd, nullptr, nullptr);
  std::vector<char> buf(256 * 1024);
  size_t total = size * count, got = 0;
  clock::time_point t0;
  while (got < total) {
    auto n = ::read(fd, buf.data(), std::min(buf.size(), total - got));
    if (n <= 0)
      throw std::runtime_error("tcp: read failed");
    if (got < size && got + static_cast<size_t>(n) >= size)
      t0 = clock::now();  // first whole message, as for the other receivers
    got += static_cast<size_t>(n);
  }
  double dt = seconds_since(t0);
  close(fd);
  close(lfd);
  return dt;
}

void tcp_send(const std::string& ep, size_t size, size_t count) {
  auto addr = parse_tcp(ep);
  int fd = -1;
  for (int attempt = 0; attempt < 500; ++attempt) {  // the receiver may not listen yet
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      break;
    close(fd);
    fd = -1;
    usleep(10000);
  }
  if (fd < 0)
    throw std::runtime_error("tcp: connect failed");
  std::vector<char> payload(size, 'x');
  for (size_t i = 0; i < count; ++i)
    for (size_t off = 0; off < size;) {
      auto n = ::write(fd, payload.data() + off, size - off);
      if (n <= 0)
        throw std::runtime_error("tcp: write failed");
      off += static_cast<size_t>(n);
    }
  close(fd);
}

} // namespace

void use_curve(bool on) {
  curve = on;
}

const char* name(impl which) {
  switch (which) {
    case impl::cafmq: return "cafmq";
    case impl::libzmq: return "libzmq";
    case impl::raw_tcp: return "raw tcp";
  }
  return "?";
}

double receive(impl which, const std::string& ep, size_t size, size_t count) {
  switch (which) {
    case impl::cafmq: return cafmq_receive(ep, count);
    case impl::libzmq: return zmq_receive(ep, size, count);
    case impl::raw_tcp: return tcp_receive(ep, size, count);
  }
  return 0;
}

void send(impl which, const std::string& ep, size_t size, size_t count) {
  switch (which) {
    case impl::cafmq: return cafmq_send(ep, size, count);
    case impl::libzmq: return zmq_send_all(ep, size, count);
    case impl::raw_tcp: return tcp_send(ep, size, count);
  }
}

} // namespace bench
