// Ironhouse (the last of the ZeroMQ security examples, after grasslands, strawhouse, woodhouse
// and stonehouse: CURVE with client authentication by certificate): a publisher that speaks only
// CURVE and only to the clients it knows.
//
//   * Every party has a key pair, kept as a zcert certificate: FILE holds the public key (to
//     hand out), FILE_secret the secret key (mode 0600, never leaves its owner).
//   * The publisher's certificate store is a directory of its clients' public certificates;
//     its authenticator allows a client only if the client's public key is in one of them.
//   * A client knows the publisher's public key (from the publisher's public certificate), so it
//     talks to that publisher alone; the traffic is encrypted either way.
//
// Here Alice's public certificate is in the store: she subscribes and receives. Mallory has a
// key pair of her own that nobody put in the store: her handshake is refused with ERROR "400",
// which both monitors report as handshake_failed with reason `auth`, and she stops reconnecting.
//
// The certificates live in a temporary directory, removed at the end.
// Exits 0 only if Alice received every update and Mallory was refused (seen on both sides).
#include <cafmq/cafmq.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int updates = 5;

// A fresh directory for the certificates, removed with what is in it.
struct temp_directory {
  fs::path path;
  temp_directory() {
    std::string pattern = (fs::temp_directory_path() / "cafmq-ironhouse-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a directory like " + pattern);
    path = pattern;
  }
  ~temp_directory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  temp_directory(const temp_directory&) = delete;
  temp_directory& operator=(const temp_directory&) = delete;
};

// Waits up to `timeout` for a handshake_failed event on `events`.
std::optional<cafmq::monitor_event> handshake_failure(cafmq::event_stream& events,
                                                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left <= 0ms)
      return std::nullopt;
    auto event = events.next(left);
    if (event && event->kind == cafmq::event_kind::handshake_failed)
      return event;
  }
}

// A CURVE subscriber of the publisher whose public certificate is `server_cert`, with the key
// pair in `own_cert` + "_secret".
cafmq::socket curve_subscriber(cafmq::context& ctx, const std::string& server_cert,
                               const std::string& own_cert) {
  auto mine = cafmq::load_certificate(own_cert + "_secret");
  cafmq::socket_options options;
  options.curve_serverkey = cafmq::load_certificate(server_cert).public_key;
  options.curve_publickey = mine.public_key;
  options.curve_secretkey = mine.secret_key;
  options.linger_ms = 0;
  cafmq::socket subscriber{ctx, cafmq::socket_type::sub, options};
  subscriber.subscribe("");
  return subscriber;
}

int run() {
  temp_directory keys;
  fs::create_directory(keys.path / "store");
  std::string server_cert = (keys.path / "server.cert").string();
  std::string alice_cert = (keys.path / "alice.cert").string();
  std::string mallory_cert = (keys.path / "mallory.cert").string();
  std::string store = (keys.path / "store").string();

  // Everyone makes a key pair; only Alice hands her public certificate to the publisher.
  cafmq::save_certificate(cafmq::new_curve_certificate(), server_cert);
  auto alice = cafmq::new_curve_certificate();
  cafmq::save_certificate(alice, alice_cert);
  cafmq::save_certificate({alice.public_key, ""}, (keys.path / "store" / "alice.cert").string());
  cafmq::save_certificate(cafmq::new_curve_certificate(), mallory_cert);

  cafmq::context ctx;
  cafmq::socket_options server_options;
  server_options.curve_server = true;
  server_options.curve_secretkey = cafmq::load_certificate(server_cert + "_secret").secret_key;
  server_options.authenticator = cafmq::certificate_store_authenticator(store);
  server_options.linger_ms = 0;
  cafmq::socket publisher{ctx, cafmq::socket_type::pub, server_options};
  auto publisher_events = publisher.monitor();
  publisher.bind("tcp://127.0.0.1:*");

  // Alice: allowed. Her subscription arrives once her handshake has passed the authenticator.
  cafmq::socket alice_sub = curve_subscriber(ctx, server_cert, alice_cert);
  alice_sub.connect(publisher.last_endpoint());
  if (!publisher.wait_subscribers(1, 5s)) {
    std::cerr << "Alice's subscription did not arrive\n";
    return 1;
  }

  // Mallory: a valid CURVE client, but her key is in no certificate of the store.
  cafmq::socket mallory_sub = curve_subscriber(ctx, server_cert, mallory_cert);
  auto mallory_events = mallory_sub.monitor();
  mallory_sub.connect(publisher.last_endpoint());
  auto mallory_refused = handshake_failure(mallory_events, 5s);
  auto publisher_refused = handshake_failure(publisher_events, 5s);

  for (int i = 1; i <= updates; ++i)
    publisher.send(cafmq::message{"update " + std::to_string(i)});
  int alice_got = 0;
  while (alice_got < updates && alice_sub.recv(5s))
    ++alice_got;
  bool mallory_got_any = mallory_sub.recv(0ms).has_value();

  std::cout << "Alice received " << alice_got << " of " << updates << " updates\n";
  if (mallory_refused)
    std::cout << "Mallory: handshake_failed (" << to_string(mallory_refused->reason_code)
              << "): " << mallory_refused->reason << "\n";
  if (publisher_refused)
    std::cout << "publisher: handshake_failed (" << to_string(publisher_refused->reason_code)
              << "): " << publisher_refused->reason << "\n";
  bool refused = mallory_refused && mallory_refused->reason_code == cafmq::event_reason::auth &&
                 publisher_refused &&
                 publisher_refused->reason_code == cafmq::event_reason::auth;
  return alice_got == updates && refused && !mallory_got_any ? 0 : 1;
}

} // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {  // a certificate that cannot be written or read
    std::cerr << "curve_pub_sub: " << e.what() << "\n";
    return 1;
  }
}
