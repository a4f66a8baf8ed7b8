// Weather updates (the zguide's wuserver and wuclient, chapter 1): publish-subscribe with a
// filter. The server publishes "ZIP TEMPERATURE HUMIDITY" for random zip codes on a PUB socket;
// the client subscribes to one zip code on a SUB socket and averages its temperatures. The
// filter is a prefix of the message: "10042 " (with the space, so "100420" would not match).
// Filtering happens at the publisher: the messages of other zip codes never reach the client.
//
// The server runs on a thread of its own and publishes until the client has what it wants.
// Exits 0 only if the client received `updates` updates and every one was for its zip code.
#include <cafmq/cafmq.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {

constexpr int updates = 100;       // what the client waits for
constexpr int first_zip = 10000;   // zip codes 10000..10099: one update in 100 is the client's
constexpr int zip_codes = 100;
constexpr const char* client_zip = "10042";

// wuserver: random updates until `stop`, a short pause after each batch so it does not spin.
void publish(cafmq::socket publisher, const std::atomic<bool>& stop) {
  std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> zip{first_zip, first_zip + zip_codes - 1};
  std::uniform_int_distribution<int> temperature{-80, 134};
  std::uniform_int_distribution<int> humidity{10, 59};
  while (!stop) {
    for (int i = 0; i < 1000; ++i) {
      publisher.send(cafmq::message{std::to_string(zip(random)) + " " +
                                    std::to_string(temperature(random)) + " " +
                                    std::to_string(humidity(random))});
    }
    std::this_thread::sleep_for(1ms);
  }
}

} // namespace

int main() {
  cafmq::context ctx;
  cafmq::socket publisher{ctx, cafmq::socket_type::pub};
  publisher.set_linger(0ms);
  publisher.bind("tcp://127.0.0.1:*");

  // wuclient
  cafmq::socket subscriber{ctx, cafmq::socket_type::sub};
  subscriber.subscribe(std::string{client_zip} + " ");
  subscriber.connect(publisher.last_endpoint());

  // The slow joiner: a PUB sends only to the subscriptions it has heard of, and a subscriber
  // takes a moment to connect and send its subscription. What is published meanwhile is lost
  // for it. Here that would only delay the client, but a publisher that sends a fixed number of
  // updates would leave it waiting for ever: so wait until the subscription has arrived.
  if (!publisher.wait_subscribers(1, 5s)) {
    std::cerr << "the subscriber did not come\n";
    return 1;
  }
  std::atomic<bool> stop{false};
  std::thread server{publish, std::move(publisher), std::cref(stop)};

  int received = 0;
  int for_other_zips = 0;
  long total_temperature = 0;
  while (received < updates) {
    auto update = subscriber.recv(5s);
    if (!update)
      break;
    ++received;
    std::istringstream fields{(*update)[0].to_string()};
    std::string zip;
    int temperature = 0;
    fields >> zip >> temperature;
    if (zip != client_zip)
      ++for_other_zips;  // the filter let through what it should not have
    total_temperature += temperature;
  }
  stop = true;
  server.join();

  std::cout << "received " << received << " updates for zip code " << client_zip << " ("
            << for_other_zips << " for other zip codes)";
  if (received > 0)
    std::cout << ", average temperature " << total_temperature / received << "F";
  std::cout << "\n";
  return received == updates && for_other_zips == 0 ? 0 : 1;
}
