// A bound CURVE or PLAIN PULL watched by its monitor, with a legitimate cafmq PUSH client of the
// same mechanism: bad-input tests point a raw peer at it and check that only that connection
// fails (the event, its reason code and text), that nothing of it is delivered, that the
// authenticator was asked only what it should be, and that the legitimate client still flows.
#pragma once

#include "support/curve_test_keys.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

namespace cafmq::test {

enum class secured_by { curve, plain };

inline const char* to_string(secured_by s) {
  return s == secured_by::curve ? "CURVE" : "PLAIN";
}

/// Admits any CURVE key and the PLAIN user admin/secret; counts what it is asked.
class counting_authenticator final : public authenticator {
public:
  void authenticate(const auth_request& r, std::function<void(const auth_reply&)> done) override {
    ++asked;
    if (r.mechanism == "CURVE")
      return done({200, "OK", {}});
    if (r.credentials.size() == 2 && r.credentials[0] == "admin" && r.credentials[1] == "secret")
      return done({200, "OK", "admin"});
    done({400, "bad user name or password", {}});
  }
  std::atomic<int> asked{0};
};

inline socket_options server_options(secured_by kind,
                                     const std::shared_ptr<counting_authenticator>& judge) {
  auto o = no_linger();
  o.authenticator = judge;
  if (kind == secured_by::curve) {
    o.curve_server = true;
    o.curve_secretkey = server_secret;
  } else {
    o.plain_server = true;
  }
  return o;
}

inline socket_options client_options(secured_by kind) {
  auto o = no_linger();
  if (kind == secured_by::curve) {
    o.curve_serverkey = server_public;
    o.curve_publickey = client_public;
    o.curve_secretkey = client_secret;
  } else {
    o.plain_username = "admin";
    o.plain_password = "secret";
  }
  return o;
}

struct secured_pull {
  static constexpr milliseconds budget{5000};

  explicit secured_pull(secured_by kind)
    : judge(std::make_shared<counting_authenticator>()),
      server(ctx, socket_type::pull, server_options(kind, judge)), events(server.monitor()),
      good(ctx, socket_type::push, client_options(kind)) {
    server.bind("tcp://127.0.0.1:*");
    good.connect(server.last_endpoint());
  }

  const std::string& endpoint() const { return server.last_endpoint(); }

  /// A message from the legitimate client arrives, alone.
  void expect_flow(const std::string& tag) {
    ASSERT_TRUE(good.send(message{tag}, budget));
    auto m = server.recv(budget);
    ASSERT_TRUE(m.has_value()) << "the legitimate client's '" << tag << "' did not arrive";
    EXPECT_EQ(frames_of(*m), std::vector<std::string>{tag});
  }

  /// The next event of `kind` on the connection whose far end is `remote`; nullopt (with what
  /// went by in `seen`) if none comes within the budget.
  std::optional<monitor_event> event_of(const std::string& remote, event_kind kind) {
    deadline d{budget};
    while (!d.expired()) {
      auto e = events.next(d.remaining());
      if (!e)
        break;
      seen.push_back(*e);
      if (e->kind == kind && e->remote_endpoint == remote)
        return e;
    }
    return std::nullopt;
  }

  /// The connection from `remote` ended with a `kind` event (handshake_failed or disconnected)
  /// whose code is `code` and whose reason mentions `text`; nothing more reached the server's
  /// user, and the legitimate client still gets through.
  void expect_failed(const std::string& remote, event_kind kind, event_reason code,
                     const std::string& text) {
    auto e = event_of(remote, kind);
    ASSERT_TRUE(e) << "no " << cafmq::to_string(kind) << " event for " << remote
                   << "; events:\n" << describe(seen);
    EXPECT_EQ(e->reason_code, code) << e->reason;
    EXPECT_NE(e->reason.find(text), std::string::npos)
      << "reason '" << e->reason << "' does not mention '" << text << "'";
    EXPECT_FALSE(server.recv(milliseconds{0}).has_value()) << "something of the bad peer arrived";
    expect_flow("after the bad peer");
  }

  context ctx;
  std::shared_ptr<counting_authenticator> judge;
  socket server;
  event_stream events;
  socket good;
  std::vector<monitor_event> seen;
};

/// The server closes `c` within the budget (whatever it sent first is discarded).
inline void expect_closed_by_server(raw_client& c) {
  EXPECT_TRUE(c.wait_closed(secured_pull::budget))
    << "the server kept the bad connection open for " << secured_pull::budget.count() << " ms";
}

} // namespace cafmq::test
