// The transport table and the tcp transport's typed outcomes, from the real code paths: binds and
// dials that fail report the code set where they failed (never read back from text), and every
// stream lives on a loop of the pool it was made from.
#include "net/transport.hpp"
#include "net/io_pool.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace cafmq::net {
namespace {

using namespace std::chrono_literals;

struct bind_result {
  listener_ptr listener;
  bind_failure failure;
  std::thread::id thread;
};

bind_result bind_now(io_loop& home, const std::string& text) {
  std::promise<bind_result> p;
  auto f = p.get_future();
  bind_endpoint(home, text, [&p](listener_ptr l, const bind_failure& failure) {
    p.set_value({std::move(l), failure, std::this_thread::get_id()});
  });
  EXPECT_EQ(f.wait_for(10s), std::future_status::ready) << text;
  return f.get();
}

struct dial_result {
  stream_ptr stream;
  connection_end end;
};

dial_result dial_now(io_loop& home, const std::string& text) {
  std::promise<dial_result> p;
  auto f = p.get_future();
  dial_endpoint(home, parse_endpoint(text, false), [&p](stream_ptr s, const connection_end& end) {
    p.set_value({std::move(s), end});
  });
  EXPECT_EQ(f.wait_for(10s), std::future_status::ready) << text;
  return f.get();
}

bool eventually_accepted(std::mutex& mtx, const std::vector<stream_ptr>& accepted, size_t n) {
  auto end = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < end) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (accepted.size() >= n)
        return true;
    }
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

// inproc has no I/O and is no entry: the context pairs inproc sockets itself.
TEST(TransportTable, FindsTcpAndIpcAndNothingElse) {
  ASSERT_NE(find_transport("tcp"), nullptr);
  EXPECT_EQ(find_transport("tcp")->scheme, "tcp");
  ASSERT_NE(find_transport("ipc"), nullptr);
  EXPECT_EQ(find_transport("ipc")->scheme, "ipc");
  EXPECT_EQ(find_transport("inproc"), nullptr);
  EXPECT_EQ(find_transport(""), nullptr);
  EXPECT_EQ(transport_schemes(), "tcp, ipc");
}

TEST(TransportTable, AnUnknownSchemeIsRefusedNamingTheSchemesThereAre) {
  io_pool pool{1};
  auto r = bind_now(pool.home(), "inproc://x");
  EXPECT_EQ(r.listener, nullptr);
  EXPECT_EQ(r.failure.code, errc::unsupported);
  EXPECT_EQ(r.failure.reason, event_reason::bad_endpoint);
  EXPECT_NE(r.failure.detail.find("supported: tcp, ipc"), std::string::npos) << r.failure.detail;
  endpoint ep;
  ep.transport = "udp";
  ep.host = "x";
  auto d = std::promise<connection_end>();
  dial_endpoint(pool.home(), ep, [&d](stream_ptr s, const connection_end& end) {
    EXPECT_EQ(s, nullptr);
    d.set_value(end);
  });
  auto end = d.get_future().get();
  EXPECT_EQ(end.code, event_reason::bad_endpoint);
  EXPECT_TRUE(end.permanent);
}

TEST(TcpTransport, AnEndpointThatDoesNotParseIsABadEndpoint) {
  io_pool pool{1};
  auto r = bind_now(pool.home(), "tcp://127.0.0.1:port");
  EXPECT_EQ(r.failure.code, errc::invalid_endpoint);
  EXPECT_EQ(r.failure.reason, event_reason::bad_endpoint);
}

TEST(TcpTransport, BindsOnTheHomeLoopAndResolvesNamesThere) {
  io_pool pool{2};
  auto r = bind_now(pool.home(), "tcp://localhost:0");
  ASSERT_NE(r.listener, nullptr) << r.failure.detail;
  EXPECT_EQ(r.thread, pool.home().thread_id());
  EXPECT_EQ(r.listener->bound_endpoint().rfind("tcp://", 0), 0u);
  r.listener->close();
}

TEST(TcpTransport, AnAddressInUseSaysSo) {
  io_pool pool{1};
  auto first = bind_now(pool.home(), "tcp://127.0.0.1:*");
  ASSERT_NE(first.listener, nullptr);
  auto second = bind_now(pool.home(), first.listener->bound_endpoint());
  EXPECT_EQ(second.listener, nullptr);
  EXPECT_EQ(second.failure.code, errc::address_in_use);
  EXPECT_EQ(second.failure.reason, event_reason::address_in_use);
  first.listener->close();
}

TEST(TcpTransport, ANameThatDoesNotResolveIsUnavailableForBindAndUnreachableForDial) {
  io_pool pool{1};
  auto r = bind_now(pool.home(), "tcp://nowhere.invalid:0");
  EXPECT_EQ(r.failure.code, errc::address_unavailable);
  EXPECT_EQ(r.failure.reason, event_reason::unreachable);
  auto d = dial_now(pool.home(), "tcp://nowhere.invalid:1");
  EXPECT_EQ(d.stream, nullptr);
  EXPECT_EQ(d.end.code, event_reason::unreachable);
  EXPECT_FALSE(d.end.permanent);
}

TEST(TcpTransport, ARefusedDialIsRefusedByErrnoValue) {
  io_pool pool{1};
  auto probe = bind_now(pool.home(), "tcp://127.0.0.1:*"); // a port nothing listens on once closed
  ASSERT_NE(probe.listener, nullptr);
  auto ep = probe.listener->bound_endpoint();
  probe.listener->close();
  auto d = dial_now(pool.home(), ep);
  if (d.stream)
    GTEST_SKIP() << "the port was taken again between close and dial";
  EXPECT_EQ(d.end.code, event_reason::refused) << d.end.detail;
}

// One connection at a time, so each pick sees the previous one counted: exactly two per loop.
TEST(TcpTransport, StreamsSpreadOverThePoolsLoops) {
  io_pool servers{4};
  io_pool clients{4};
  auto l = bind_now(servers.home(), "tcp://127.0.0.1:*");
  ASSERT_NE(l.listener, nullptr);
  std::mutex mtx;
  std::vector<stream_ptr> accepted;
  std::promise<void> all_accepted;
  l.listener->start([&](stream_ptr s, const connection_end&) {
    std::lock_guard<std::mutex> guard{mtx};
    accepted.push_back(std::move(s));
    if (accepted.size() == 8)
      all_accepted.set_value();
  });
  std::vector<stream_ptr> dialled;
  for (int i = 0; i < 8; ++i) {
    auto d = dial_now(clients.home(), l.listener->bound_endpoint());
    ASSERT_NE(d.stream, nullptr) << d.end.detail;
    dialled.push_back(std::move(d.stream));
    // the next dial starts once this one is accepted: accepts are picked one at a time too
    ASSERT_TRUE(eventually_accepted(mtx, accepted, static_cast<size_t>(i + 1)));
  }
  ASSERT_EQ(all_accepted.get_future().wait_for(10s), std::future_status::ready);
  std::set<io_loop*> accepted_on;
  std::set<io_loop*> dialled_on;
  {
    std::lock_guard<std::mutex> guard{mtx};
    for (auto& s : accepted)
      accepted_on.insert(&loop_of(*s));
  }
  for (auto& s : dialled)
    dialled_on.insert(&loop_of(*s));
  EXPECT_EQ(accepted_on.size(), 4u);
  EXPECT_EQ(dialled_on.size(), 4u);
  // A dial counts until its last handler has returned, which may be just after it reported.
  auto settled = [&clients] {
    for (size_t i = 0; i < 4; ++i)
      if (clients.at(i).connections() != 2)
        return false;
    return true;
  };
  auto end = std::chrono::steady_clock::now() + 10s;
  while (!settled() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(1ms);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(servers.at(i).connections(), 2u) << "server loop " << i;
    EXPECT_EQ(clients.at(i).connections(), 2u) << "client loop " << i;
  }
  l.listener->close();
  std::lock_guard<std::mutex> guard{mtx};
  accepted.clear();
  dialled.clear();
  EXPECT_EQ(servers.at(1).connections(), 0u) << "a stream gone is no longer counted";
}

TEST(IoPool, RefusesAThreadCountOutsideOneToSixtyFour) {
  for (int n : {0, -1, 65}) {
    try {
      io_pool pool{n};
      ADD_FAILURE() << n << " threads accepted";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("io_threads must be from 1 to 64"), std::string::npos)
        << e.what();
    }
  }
}

TEST(IoLoop, AHandlerThatThrowsIsCountedAndTheLoopRunsOn) {
  io_loop loop;
  loop.post([] { throw std::runtime_error("injected"); });
  std::promise<std::thread::id> after;
  loop.post([&after] { after.set_value(std::this_thread::get_id()); });
  auto f = after.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get(), loop.thread_id());
  EXPECT_EQ(loop.escaped_exceptions(), 1u);
}

} // namespace
} // namespace cafmq::net
