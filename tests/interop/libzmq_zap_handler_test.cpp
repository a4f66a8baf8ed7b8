// The ZAP codec and access_rules as a ZAP handler for real libzmq servers: a libzmq REP or ROUTER
// bound at inproc://zeromq.zap.01 carries libzmq's own requests to parse_zap_request and our
// make_zap_reply answers back. libzmq validates those replies by its rules, so a handshake that
// succeeds (with the User-Id we chose) or fails with our status code proves both directions.
#include "interop/zmq_peer.hpp"
#include "unit/security/temp_dir.hpp"

#include "security/access_rules.hpp"
#include "security/curve_keys.hpp"
#include "security/zap_codec.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;

const std::string client_public = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const std::string client_secret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const std::string server_public = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const std::string server_secret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
constexpr auto budget = 10000ms;

void set_string(zmq::socket& s, int option, const std::string& value) {
  if (zmq_setsockopt(s.get(), option, value.data(), value.size()) != 0)
    zmq::fail("zmq_setsockopt " + std::to_string(option));
}

/// Our codec and rules answering libzmq's ZAP requests on a thread of their own.
class zap_handler {
public:
  zap_handler(zmq::context& ctx, int type, security::access_rules& rules)
    : sock_(ctx, type), rules_(rules) {
    sock_.bind(std::string(security::zap_endpoint));
    thread_ = std::thread([this] { run(); });
  }
  ~zap_handler() {
    stop_ = true;
    thread_.join();
    sock_.close();
  }
  std::vector<security::zap_request> requests() {
    std::lock_guard<std::mutex> g{mtx_};
    return requests_;
  }
  std::vector<std::string> errors() {
    std::lock_guard<std::mutex> g{mtx_};
    return errors_;
  }

private:
  void run() {
    bool router = zmq_socket_get_type() == ZMQ_ROUTER;
    auto env = router ? security::zap_envelope::delimiter : security::zap_envelope::none;
    while (!stop_) {
      auto frames = sock_.recv(20ms);  // a poll period, so stop_ is seen; not a synchronisation
      if (!frames)
        continue;
      message msg;
      for (size_t i = router ? 1 : 0; i < frames->size(); ++i)
        msg.add(frame{(*frames)[i]});
      auto parsed = security::parse_zap_request(msg, env);
      std::lock_guard<std::mutex> g{mtx_};
      if (!parsed) {
        errors_.push_back(parsed.error);
        continue;
      }
      requests_.push_back(*parsed.value);
      auto reply = security::make_zap_reply(parsed.value->request_id,
                                            rules_.decide(parsed.value->request), {}, env);
      std::vector<std::string> out;
      if (router)
        out.push_back((*frames)[0]);
      for (size_t i = 0; i < reply.size(); ++i)
        out.push_back(reply[i].to_string());
      sock_.send(out);
    }
  }
  int zmq_socket_get_type() {
    int type = 0;
    size_t size = sizeof type;
    zmq_getsockopt(sock_.get(), ZMQ_TYPE, &type, &size);
    return type;
  }

  zmq::socket sock_;
  security::access_rules& rules_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mtx_;
  std::vector<security::zap_request> requests_;
  std::vector<std::string> errors_;
};

/// A PULL server of `mechanism` ("PLAIN" or "CURVE") in ZAP domain "test", identity "IDENT".
std::string bind_server(zmq::socket& server, const std::string& mechanism) {
  set_string(server, ZMQ_ZAP_DOMAIN, "test");
  set_string(server, ZMQ_ROUTING_ID, "IDENT");
  if (mechanism == "PLAIN") {
    server.set(ZMQ_PLAIN_SERVER, 1);
  } else {
    server.set(ZMQ_CURVE_SERVER, 1);
    set_string(server, ZMQ_CURVE_SECRETKEY, server_secret);
  }
  server.bind("tcp://127.0.0.1:*");
  return server.last_endpoint();
}

/// Receives one message on `s` within the budget; its body and User-Id ("" if none).
std::optional<std::pair<std::string, std::string>> recv_with_user_id(zmq::socket& s) {
  zmq_pollitem_t item{s.get(), 0, ZMQ_POLLIN, 0};
  if (zmq_poll(&item, 1, static_cast<long>(budget.count())) <= 0)
    return std::nullopt;
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  if (zmq_msg_recv(&msg, s.get(), 0) < 0) {
    zmq_msg_close(&msg);
    return std::nullopt;
  }
  std::string body(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  const char* user = zmq_msg_gets(&msg, "User-Id");
  std::pair<std::string, std::string> out{body, user ? user : ""};
  zmq_msg_close(&msg);
  return out;
}

TEST(LibzmqZapHandler, PlainServerAcceptsTheUserOurRepHandlerAllows) {
  test::temp_dir dir;
  security::access_rules rules;
  rules.set_password_file(dir.write("pw", "admin=password\n"));
  zmq::context ctx;
  zap_handler handler{ctx, ZMQ_REP, rules};
  zmq::socket server{ctx, ZMQ_PULL};
  auto ep = bind_server(server, "PLAIN");
  zmq::socket client{ctx, ZMQ_PUSH};
  client.set(ZMQ_LINGER, 0);
  set_string(client, ZMQ_PLAIN_USERNAME, "admin");
  set_string(client, ZMQ_PLAIN_PASSWORD, "password");
  client.connect(ep);
  ASSERT_TRUE(client.send({"hello"}));
  auto got = recv_with_user_id(server);
  ASSERT_TRUE(got.has_value()) << "no message: handler errors " << handler.errors().size();
  EXPECT_EQ(got->first, "hello");
  EXPECT_EQ(got->second, "admin");
  auto reqs = handler.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request_id, "1");
  EXPECT_EQ(reqs[0].request.domain, "test");
  EXPECT_EQ(reqs[0].request.address, "127.0.0.1");
  EXPECT_EQ(reqs[0].request.routing_id, "IDENT");  // libzmq sends the server's own identity
  EXPECT_EQ(reqs[0].request.mechanism, "PLAIN");
  EXPECT_EQ(reqs[0].request.credentials, (std::vector<std::string>{"admin", "password"}));
  client.close();
  server.close();
}

TEST(LibzmqZapHandler, PlainServerRefusesAWrongPasswordWithOur400ViaARouterHandler) {
  test::temp_dir dir;
  security::access_rules rules;
  rules.set_password_file(dir.write("pw", "admin=password\n"));
  zmq::context ctx;
  zap_handler handler{ctx, ZMQ_ROUTER, rules};
  zmq::socket server{ctx, ZMQ_PULL};
  auto ep = bind_server(server, "PLAIN");
  zmq::monitor mon{ctx, server, ZMQ_EVENT_ALL};
  zmq::socket client{ctx, ZMQ_PUSH};
  client.set(ZMQ_LINGER, 0);
  set_string(client, ZMQ_PLAIN_USERNAME, "admin");
  set_string(client, ZMQ_PLAIN_PASSWORD, "guess");
  client.connect(ep);
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, budget, &seen);
  ASSERT_TRUE(e.has_value()) << zmq::describe(seen);
  EXPECT_EQ(e->value, 400u);
  EXPECT_TRUE(handler.errors().empty());
  client.close();
  server.close();
}

TEST(LibzmqZapHandler, CurveServerGetsTheRawClientKeyAndOurZ85UserId) {
  security::access_rules rules;
  rules.allow_curve_key(client_public);
  zmq::context ctx;
  zap_handler handler{ctx, ZMQ_ROUTER, rules};
  zmq::socket server{ctx, ZMQ_PULL};
  auto ep = bind_server(server, "CURVE");
  zmq::socket client{ctx, ZMQ_PUSH};
  client.set(ZMQ_LINGER, 0);
  set_string(client, ZMQ_CURVE_SERVERKEY, server_public);
  set_string(client, ZMQ_CURVE_PUBLICKEY, client_public);
  set_string(client, ZMQ_CURVE_SECRETKEY, client_secret);
  client.connect(ep);
  ASSERT_TRUE(client.send({"secret hello"}));
  auto got = recv_with_user_id(server);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, "secret hello");
  EXPECT_EQ(got->second, client_public);
  auto reqs = handler.requests();
  ASSERT_EQ(reqs.size(), 1u);
  auto key = security::curve_key::from_z85(client_public).bytes();
  EXPECT_EQ(reqs[0].request.credentials,
            std::vector<std::string>{std::string(key.begin(), key.end())});
  client.close();
  server.close();
}

TEST(LibzmqZapHandler, CurveServerReportsOur500WhenTheCertificateDirectoryIsGone) {
  test::temp_dir dir;
  auto certs = dir.file("certs");
  std::filesystem::create_directory(certs);
  security::access_rules rules;
  rules.set_reload_interval(0ms);
  rules.set_certificate_directory(certs);
  std::filesystem::remove(certs);
  zmq::context ctx;
  zap_handler handler{ctx, ZMQ_REP, rules};
  zmq::socket server{ctx, ZMQ_PULL};
  auto ep = bind_server(server, "CURVE");
  zmq::monitor mon{ctx, server, ZMQ_EVENT_ALL};
  zmq::socket client{ctx, ZMQ_PUSH};
  client.set(ZMQ_LINGER, 0);
  set_string(client, ZMQ_CURVE_SERVERKEY, server_public);
  set_string(client, ZMQ_CURVE_PUBLICKEY, client_public);
  set_string(client, ZMQ_CURVE_SECRETKEY, client_secret);
  client.connect(ep);
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, budget, &seen);
  ASSERT_TRUE(e.has_value()) << zmq::describe(seen);
  EXPECT_EQ(e->value, 500u);
  client.close();
  server.close();
}

} // namespace
} // namespace cafmq
