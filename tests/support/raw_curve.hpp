// CURVE peers on raw TCP connections, for feeding cafmq sockets bad CURVE input byte by byte. The
// legitimate commands come from cafmq's own sans-I/O mechanisms (security/curve_mechanism.hpp);
// the client's transient key is one we chose, so a test can also open WELCOME itself and forge
// what the mechanism would never send (a vouch for another key, a bad cookie, a replayed nonce).
#pragma once

#include "support/curve_test_keys.hpp"
#include "support/raw_tcp.hpp"

#include "security/curve_mechanism.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace cafmq::test {

using security::key32;

/// Frames `body` as one ZMTP command frame (04 size, or 06 and a 64-bit size).
bytes command_frame(const bytes& body);
/// Frames `body` as one ZMTP data frame (00 size, or 02 and a 64-bit size).
bytes data_frame(const bytes& body);
/// Reads one frame and returns its body if it is a command; nullopt if the connection closed,
/// the deadline passed, or a data frame came.
std::optional<bytes> read_command(raw_client& c, std::chrono::milliseconds timeout);
/// The "tcp://127.0.0.1:<port>" of this end of `c` (what the other side calls its peer).
std::string local_endpoint_of(const raw_client& c);

/// What a WELCOME carries once opened: the server's transient key S' and the cookie.
struct welcome_contents {
  key32 server_transient{};
  bytes cookie;  // 96 bytes: nonce and SecretBox
};

/// A CURVE client (Socket-Type PUSH, libzmq's test client keys by default) on a raw connection.
class raw_curve_client {
public:
  /// Connects to `endpoint`, sends a CURVE greeting and reads the server's (throws
  /// std::runtime_error if it does not come or is not a CURVE server's).
  static raw_curve_client connect(const std::string& endpoint, std::chrono::milliseconds timeout,
                                  const char* server_key = server_public);
  /// connect(), with the mechanism's INITIATE carrying `properties` instead of Socket-Type PUSH
  /// alone (large metadata tests).
  static raw_curve_client connect_with(const std::string& endpoint,
                                       std::chrono::milliseconds timeout, const metadata& properties);

  raw_client& wire() noexcept { return wire_; }
  /// The HELLO body the mechanism sends first.
  const bytes& hello() const noexcept { return hello_; }
  /// Feeds a WELCOME body to the mechanism; the INITIATE body it answers with (throws if it
  /// refuses the WELCOME).
  bytes initiate_for(const bytes& welcome);
  /// Opens a WELCOME with our transient key; nullopt if it does not open.
  std::optional<welcome_contents> open_welcome(const bytes& welcome) const;
  /// An INITIATE built by hand from `w`: the box claims the permanent key `claimed`, and the
  /// vouch inside says `vouched` (a transient key) under the permanent secret key `signer`; it
  /// uses short nonce `nonce` and carries `metadata` (Socket-Type PUSH if null) as given.
  bytes forge_initiate(const welcome_contents& w, const key32& claimed, const key32& vouched,
                       const key32& signer, uint64_t nonce = 2,
                       const bytes* metadata = nullptr) const;
  /// forge_initiate with our real keys: what an honest client sends, but built by the test.
  bytes honest_initiate(const welcome_contents& w, uint64_t nonce = 2,
                        const bytes* metadata = nullptr) const;
  /// Our transient public key C'.
  const key32& transient_public() const noexcept { return transient_public_; }

  /// Sends HELLO, reads WELCOME, sends INITIATE, reads READY; throws naming the step that
  /// failed. After it, message() encodes MESSAGE bodies.
  void handshake(std::chrono::milliseconds timeout);
  /// A MESSAGE body carrying one frame `text` under the next short nonce.
  bytes message(const std::string& text, bool more = false);

  bool send_command(const bytes& body) { return wire_.send_all(command_frame(body)); }
  bool send_data(const bytes& body) { return wire_.send_all(data_frame(body)); }
  std::optional<bytes> read_command(std::chrono::milliseconds timeout) {
    return test::read_command(wire_, timeout);
  }

private:
  raw_curve_client(raw_client wire, const char* server_key, const metadata* properties = nullptr);

  raw_client wire_;
  key32 server_public_{};
  key32 transient_secret_{}, transient_public_{};
  std::unique_ptr<security::curve_client> mech_;
  std::unique_ptr<frame_cipher> cipher_;
  bytes hello_;
};

/// A CURVE server (Socket-Type PUSH, libzmq's test server keys) on a connection a cafmq client
/// made to a raw_listener: answers with what cafmq's curve_server would, for tests to tamper.
class raw_curve_server {
public:
  /// Accepts one connection, sends a CURVE as-server greeting and reads the client's (throws
  /// std::runtime_error if none of that happens within `timeout`).
  static raw_curve_server accept(raw_listener& listener, std::chrono::milliseconds timeout);

  raw_client& wire() noexcept { return wire_; }
  /// Feeds a HELLO body to the mechanism; the WELCOME body it answers with (throws on refusal).
  bytes welcome_for(const bytes& hello);
  /// A WELCOME built by hand for `hello` that opens for its client but carries
  /// `server_transient` as S' (and a cookie of random bytes).
  bytes forge_welcome(const bytes& hello, const key32& server_transient) const;
  /// Feeds an INITIATE body and admits the client; the READY body (throws on refusal).
  bytes ready_for(const bytes& initiate);
  /// After ready_for: a MESSAGE body carrying one frame `text` under the next short nonce.
  bytes message(const std::string& text);
  bool send_data(const bytes& body) { return wire_.send_all(data_frame(body)); }

  bool send_command(const bytes& body) { return wire_.send_all(command_frame(body)); }
  std::optional<bytes> read_command(std::chrono::milliseconds timeout) {
    return test::read_command(wire_, timeout);
  }

private:
  explicit raw_curve_server(raw_client wire);

  raw_client wire_;
  std::unique_ptr<security::curve_server> mech_;
  std::unique_ptr<frame_cipher> cipher_;
};

} // namespace cafmq::test
