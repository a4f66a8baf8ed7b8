// CURVE fixtures for the fuzz targets: libzmq's published test keys and injected randomness that
// reproduces the derived transcript of protocol-reference §2.3 (c' = 01..20, s' = 21..40, cookie
// key 41..60, cookie nonce B0.., WELCOME nonce A0.., vouch nonce C0..). With them the
// legitimate HELLO, WELCOME, INITIATE and READY are the same bytes on every run (so they are
// computed once), and the transcript commands in the seed corpora complete a handshake.
#pragma once

#include "fuzz_support.hpp"

#include "security/curve_box.hpp"
#include "security/curve_mechanism.hpp"

#include <memory>

namespace cafmq::fuzz {

inline security::curve_keypair client_keys() {
  return {security::curve_key::from_z85("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"),
          security::curve_key::from_z85("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")};
}

inline security::curve_keypair server_keys() {
  return {security::curve_key::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"),
          security::curve_key::from_z85("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")};
}

/// Request k gets the bytes starts[k], starts[k]+1, ...; later requests continue the count.
inline security::random_source scripted_random(std::vector<uint8_t> starts) {
  auto calls = std::make_shared<size_t>(0);
  return [starts = std::move(starts), calls](uint8_t* out, size_t size) {
    size_t k = (*calls)++;
    auto first = static_cast<uint8_t>(k < starts.size() ? starts[k] : 0xD0 + k);
    for (size_t i = 0; i < size; ++i)
      out[i] = static_cast<uint8_t>(first + i);
  };
}

/// c', then the vouch nonce.
inline security::random_source client_random() { return scripted_random({0x01, 0xC0}); }
/// s', the cookie key, the cookie nonce, the WELCOME nonce.
inline security::random_source server_random() {
  return scripted_random({0x21, 0x41, 0xB0, 0xA0});
}

/// The transient secret keys that randomness gives: c' (client) and s' (server).
inline security::key32 run32(uint8_t first) {
  security::key32 k;
  for (size_t i = 0; i < k.size(); ++i)
    k[i] = static_cast<uint8_t>(first + i);
  return k;
}
inline security::key32 client_transient_secret() { return run32(0x01); }
inline security::key32 server_transient_secret() { return run32(0x21); }

inline metadata socket_metadata(const char* type) {
  metadata md;
  md.add("Socket-Type", type);
  md.add("Identity", "");
  return md;
}

inline security::curve_client make_client(peer_validator validate = nullptr) {
  return {server_keys().public_key, client_keys(), socket_metadata("DEALER"), std::move(validate),
          client_random()};
}

inline security::curve_server make_server(peer_validator validate = nullptr) {
  return {server_keys(), "global", socket_metadata("ROUTER"), std::move(validate),
          server_random()};
}

/// The legitimate handshake commands, computed once by running the two machines.
struct transcript {
  bytes hello, welcome, initiate, ready;
};

inline const transcript& legit() {
  static const transcript t = [] {
    transcript t;
    auto client = make_client();
    auto server = make_server();
    std::vector<bytes> to_server, to_client;
    FUZZ_CHECK(client.start(to_server) == mechanism::status::handshaking);
    t.hello = to_server.at(0);
    server.on_command(t.hello.data(), t.hello.size(), to_client);
    t.welcome = to_client.at(0);
    to_server.clear();
    client.on_command(t.welcome.data(), t.welcome.size(), to_server);
    t.initiate = to_server.at(0);
    to_client.clear();
    server.on_command(t.initiate.data(), t.initiate.size(), to_client);
    FUZZ_CHECK(server.take_auth_request().has_value());
    FUZZ_CHECK(server.on_auth_reply({200, "", ""}, to_client) == mechanism::status::ready);
    t.ready = to_client.at(0);
    std::vector<bytes> none;
    FUZZ_CHECK(client.on_command(t.ready.data(), t.ready.size(), none) == mechanism::status::ready);
    return t;
  }();
  return t;
}

} // namespace cafmq::fuzz
