// CURVE (RFC 25/26) on bytes: the handshake and first MESSAGEs replayed from the derived
// transcript in protocol-reference §2.3 (libzmq's test keys, fixed transient keys and nonces),
// byte for byte in both roles; then what must fail: a wrong server key, a forged or replayed
// MESSAGE, a malformed HELLO, a vouch for another connection, and a refused client key.
#include "hex.hpp"

#include "security/curve_mechanism.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>

namespace cafmq::security {
namespace {

using status = mechanism::status;

// The transcript, command bodies without their ZMTP frame headers.
const char* const hello_hex =
  "0548454c4c4f010000000000000000000000000000000000000000000000000000000000000000000000000000000000"
  "000000000000000000000000000000000000000000000000000000000000000007a37cbc142093c8b755dc1b10e86cb4"
  "26374ad16aa853ed0bdfc0b2b86d1c7c00000000000000016e3f26f72fe2f05db20de7881ee6a08fc432afe73b138226"
  "f5930879c93bdd4d8586425a3a8d6bc5d83598a3017e0f1792ff0381360d168b6fe1c5e0bb752b0d365e13ea8e8a29ce"
  "1c5052c8c63eced7";
const char* const welcome_hex =
  "0757454c434f4d45a0a1a2a3a4a5a6a7a8a9aaabacadaeafde30ad3917102ed03f3252ff5df61e274d7aab13f9fab374"
  "e52fdb35267e556dbae9dc929e81121e700070a00704f657807a24350e915ba16e09a035668bb80d0136e98f13012178"
  "48e471b9596e84292c98cd981243e07bde8bc043ce7fe00914fc994e83f357dc8488a0bb0e692cd73543d5edda932e36"
  "f8e3368f778980b2801bedaf6386ad0c7f9974b7c179ccf7";
const char* const initiate_hex =
  "08494e495449415445b0b1b2b3b4b5b6b7b8b9babbbcbdbebf8ca425494c574328d111eef24e3b0b3d840373c65095e0"
  "e37b27c1e6f8023437d26f84b09d052fd3e50642b734f2f2bd12b61652b783fea7c17345b44121876822655328b60bbd"
  "b58aa48ca029fff97e00000000000000022597eb279059ce6087140f1f16e0c608f4b83c445dabfe76b764205b74eece"
  "d08560918c380fe1f6615aa96926bbfd8bddf0a74d63d94ae8f676476c0355f33f6258bfb9453c4d687dfda30d56645b"
  "70a73eaa6e7290c73b601890954177d54897aeff9f8701b48c4d5e48c07beaee38b9c809374f8352db3a22a2f1e62d34"
  "47aa1a9d1434b1f74e0db52b848e02d06e7523cdb6612d1dcd2e3c1025f1b8642572653b8096339e6dfabca005b814c1"
  "5e89d3e2";
const char* const ready_hex =
  "0552454144590000000000000001640086d1ab154a21cf6b4b63c8994a57e5b976c483ec0654f901c19a18bef5ba8a05"
  "8356adbb7f4fd971d3a3f9629bff74d79f";
const char* const client_message_hex =
  "074d45535341474500000000000000032392739af151941d8293c3ab21586b77220731a3f5fd";
const char* const server_message_hex =
  "074d4553534147450000000000000002bf22b2efed212f148027e100e02804762076eb04f186";

const char* const client_public_z85 = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const char* const client_secret_z85 = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const char* const server_public_z85 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const char* const server_secret_z85 = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

bytes hex(const char* h) {
  return test::from_hex(h);
}

// Bytes first..first+n-1, as the transcript's fixed "random" inputs are.
std::vector<uint8_t> run(uint8_t first, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<uint8_t>(first + i);
  return v;
}

// Hands out the given byte strings in order, each to a request of its size.
random_source scripted(std::deque<std::vector<uint8_t>> chunks) {
  auto queue = std::make_shared<std::deque<std::vector<uint8_t>>>(std::move(chunks));
  return [queue](uint8_t* out, size_t size) {
    ASSERT_FALSE(queue->empty()) << "more randomness asked for than the transcript has";
    ASSERT_EQ(queue->front().size(), size);
    std::memcpy(out, queue->front().data(), size);
    queue->pop_front();
  };
}

metadata md(const char* type) {
  metadata m;
  m.add("Socket-Type", type);
  m.add("Identity", "");
  return m;
}

curve_keypair client_keys() {
  return {curve_key::from_z85(client_public_z85), curve_key::from_z85(client_secret_z85)};
}
curve_keypair server_keys() {
  return {curve_key::from_z85(server_public_z85), curve_key::from_z85(server_secret_z85)};
}

curve_client transcript_client() {
  return curve_client{curve_key::from_z85(server_public_z85), client_keys(), md("DEALER"), nullptr,
                      scripted({run(0x01, 32), run(0xC0, 16)})};
}
curve_server transcript_server() {
  return curve_server{server_keys(), "global", md("ROUTER"), nullptr,
                      scripted({run(0x21, 32), run(0x41, 32), run(0xB0, 16), run(0xA0, 16)})};
}

TEST(CurveTranscript, ClientSendsHelloAndInitiateByteForByte) {
  auto client = transcript_client();
  std::vector<bytes> out;
  ASSERT_EQ(client.start(out), status::handshaking);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], hex(hello_hex));
  out.clear();
  auto welcome = hex(welcome_hex);
  ASSERT_EQ(client.on_command(welcome.data(), welcome.size(), out), status::handshaking)
    << client.failure().reason;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], hex(initiate_hex));
  out.clear();
  auto ready = hex(ready_hex);
  ASSERT_EQ(client.on_command(ready.data(), ready.size(), out), status::ready)
    << client.failure().reason;
  EXPECT_EQ(client.peer_metadata().find("Socket-Type"), "ROUTER");
  auto cipher = client.take_cipher();
  ASSERT_NE(cipher, nullptr);
  const uint8_t hello[] = {'H', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(cipher->encode(0, hello, 5), hex(client_message_hex));
  auto server_msg = hex(server_message_hex);
  uint8_t flags = 0xFF;
  frame payload;
  ASSERT_EQ(cipher->decode(server_msg.data(), server_msg.size(), flags, payload), std::nullopt);
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(payload.data()), payload.size()), "World");
}

TEST(CurveTranscript, ServerSendsWelcomeAndReadyByteForByte) {
  auto server = transcript_server();
  std::vector<bytes> out;
  auto hello = hex(hello_hex);
  ASSERT_EQ(server.on_command(hello.data(), hello.size(), out), status::handshaking)
    << server.failure().reason;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], hex(welcome_hex));
  out.clear();
  auto initiate = hex(initiate_hex);
  ASSERT_EQ(server.on_command(initiate.data(), initiate.size(), out), status::handshaking)
    << server.failure().reason;
  EXPECT_TRUE(out.empty()) << "READY waits for the authenticator";
  auto req = server.take_auth_request();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->mechanism, "CURVE");
  ASSERT_EQ(req->credentials.size(), 1u);
  EXPECT_EQ(req->credentials[0], std::string(reinterpret_cast<const char*>(
                                               curve_key::from_z85(client_public_z85).bytes().data()),
                                             32));
  ASSERT_EQ(server.on_auth_reply({200, "OK", "client-1"}, out), status::ready);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], hex(ready_hex));
  EXPECT_EQ(server.peer_metadata().find("Socket-Type"), "DEALER");
  EXPECT_EQ(server.user_id(), "client-1");
  auto cipher = server.take_cipher();
  ASSERT_NE(cipher, nullptr);
  const uint8_t world[] = {'W', 'o', 'r', 'l', 'd'};
  EXPECT_EQ(cipher->encode(0, world, 5), hex(server_message_hex));
  auto client_msg = hex(client_message_hex);
  uint8_t flags = 0xFF;
  frame payload;
  ASSERT_EQ(cipher->decode(client_msg.data(), client_msg.size(), flags, payload), std::nullopt);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(payload.data()), payload.size()), "Hello");
  // The same MESSAGE again is a replay (CVE-2014-7203): refused.
  auto replay = cipher->decode(client_msg.data(), client_msg.size(), flags, payload);
  ASSERT_TRUE(replay.has_value());
  EXPECT_NE(replay->find("replay"), std::string::npos) << *replay;
}

TEST(CurveFailures, ClientWithTheWrongServerKeyIsRejectedAtHello) {
  auto other = generate_keypair();
  curve_client client{other.public_key, client_keys(), md("DEALER"), nullptr};
  auto server = transcript_server();
  std::vector<bytes> to_server, to_client;
  client.start(to_server);
  EXPECT_EQ(server.on_command(to_server[0].data(), to_server[0].size(), to_client), status::failed);
  EXPECT_NE(server.failure().reason.find("another server key"), std::string::npos);
  EXPECT_EQ(server.failure().code, event_reason::auth);
  EXPECT_TRUE(to_client.empty()) << "no WELCOME for a HELLO that does not open";
}

TEST(CurveFailures, MalformedHellosAreRejected) {
  auto good = hex(hello_hex);
  std::vector<bytes> bad = {bytes(good.begin(), good.end() - 1), good, good};
  bad[1][6] = 2;      // version 2.0
  bad[2][150] ^= 1;   // a flipped bit inside the box
  const event_reason expected[] = {event_reason::protocol, event_reason::protocol,
                                   event_reason::auth};
  for (size_t i = 0; i < bad.size(); ++i) {
    auto server = transcript_server();
    std::vector<bytes> out;
    EXPECT_EQ(server.on_command(bad[i].data(), bad[i].size(), out), status::failed);
    EXPECT_EQ(server.failure().code, expected[i]) << server.failure().reason;
    EXPECT_TRUE(out.empty());
  }
}

TEST(CurveFailures, ForgedMessageIsRefused) {
  auto client = transcript_client();
  std::vector<bytes> out;
  client.start(out);
  auto welcome = hex(welcome_hex);
  client.on_command(welcome.data(), welcome.size(), out);
  auto ready = hex(ready_hex);
  ASSERT_EQ(client.on_command(ready.data(), ready.size(), out), status::ready);
  auto cipher = client.take_cipher();
  auto msg = hex(server_message_hex);
  msg.back() ^= 0x80;
  uint8_t flags;
  frame payload;
  EXPECT_TRUE(cipher->decode(msg.data(), msg.size(), flags, payload).has_value());
  auto truncated = hex(server_message_hex);
  truncated.resize(20);
  EXPECT_TRUE(cipher->decode(truncated.data(), truncated.size(), flags, payload).has_value());
}

TEST(CurveFailures, RefusedClientKeyGetsAnErrorWithTheStatusCode) {
  auto server = transcript_server();
  std::vector<bytes> out;
  auto hello = hex(hello_hex);
  server.on_command(hello.data(), hello.size(), out);
  auto initiate = hex(initiate_hex);
  server.on_command(initiate.data(), initiate.size(), out);
  ASSERT_TRUE(server.take_auth_request().has_value());
  out.clear();
  EXPECT_EQ(server.on_auth_reply({400, "unknown key", ""}, out), status::failed);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(server.failure().send_error);
  EXPECT_EQ(server.failure().error_reason, "400");
  EXPECT_EQ(server.failure().code, event_reason::auth);
}

TEST(CurveFailures, ClientWithTheWrongServerKeyFailsAtWelcome) {
  // The server's WELCOME is sealed for the key the server really has: a client expecting another
  // server key cannot open it.
  auto other = generate_keypair();
  curve_client client{other.public_key, client_keys(), md("DEALER"), nullptr};
  std::vector<bytes> out;
  client.start(out);
  auto welcome = hex(welcome_hex);
  EXPECT_EQ(client.on_command(welcome.data(), welcome.size(), out), status::failed);
  EXPECT_EQ(client.failure().code, event_reason::auth) << client.failure().reason;
}

TEST(CurveFailures, UnknownHandshakeCommandIsAProtocolError) {
  auto server = transcript_server();
  std::vector<bytes> out;
  auto zap = make_command("ZAP");
  EXPECT_EQ(server.on_command(zap.data(), zap.size(), out), status::failed);
  EXPECT_EQ(server.failure().code, event_reason::protocol) << server.failure().reason;
}

TEST(CurveFailures, InitiateReplayedOnAnotherConnectionFailsTheCookie) {
  // A fresh server connection has a fresh cookie key: yesterday's INITIATE does not open.
  curve_server server{server_keys(), "", md("ROUTER"), nullptr};
  auto client = transcript_client();
  std::vector<bytes> to_server, to_client;
  client.start(to_server);
  ASSERT_EQ(server.on_command(to_server[0].data(), to_server[0].size(), to_client),
            status::handshaking);
  auto old_initiate = hex(initiate_hex);
  EXPECT_EQ(server.on_command(old_initiate.data(), old_initiate.size(), to_client), status::failed);
  EXPECT_NE(server.failure().reason.find("cookie"), std::string::npos) << server.failure().reason;
  EXPECT_EQ(server.failure().code, event_reason::auth);
}

TEST(CurveRoundTrip, RandomKeysHandshakeAndExchangeMessagesBothWays) {
  auto s = generate_keypair();
  auto c = generate_keypair();
  curve_client client{s.public_key, c, md("REQ"), nullptr};
  curve_server server{s, "", md("REP"), nullptr};
  std::vector<bytes> to_server, to_client;
  ASSERT_EQ(client.start(to_server), status::handshaking);
  ASSERT_EQ(server.on_command(to_server[0].data(), to_server[0].size(), to_client), status::handshaking);
  to_server.clear();
  ASSERT_EQ(client.on_command(to_client[0].data(), to_client[0].size(), to_server), status::handshaking);
  to_client.clear();
  ASSERT_EQ(server.on_command(to_server[0].data(), to_server[0].size(), to_client), status::handshaking);
  ASSERT_TRUE(server.take_auth_request().has_value());
  ASSERT_EQ(server.on_auth_reply({200, "", ""}, to_client), status::ready);
  ASSERT_EQ(client.on_command(to_client[0].data(), to_client[0].size(), to_server), status::ready);
  auto cc = client.take_cipher();
  auto sc = server.take_cipher();
  for (int i = 0; i < 3; ++i) {
    std::string text = "frame " + std::to_string(i);
    auto wire = cc->encode(i == 0 ? 0x01 : 0x00, reinterpret_cast<const uint8_t*>(text.data()),
                           text.size());
    uint8_t flags;
    frame payload;
    ASSERT_EQ(sc->decode(wire.data(), wire.size(), flags, payload), std::nullopt);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(payload.data()), payload.size()), text);
    EXPECT_EQ(flags, i == 0 ? 0x01 : 0x00);
  }
}

} // namespace
} // namespace cafmq::security
