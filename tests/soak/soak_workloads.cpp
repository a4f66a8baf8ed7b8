// See soak_workloads.hpp. The pacing sleeps below only keep a workload from spinning; nothing
// waits on them for synchronisation (every wait is a receive or send with a timeout).
#include "soak/soak_workloads.hpp"

#include <cstdio>
#include <stdexcept>
#include <unordered_map>

namespace cafmq::soak {

namespace {

using namespace std::chrono_literals;

constexpr uint64_t pushes_per_connection = 5000;

socket_options quick() {
  socket_options o;
  o.linger_ms = 2000;  // a closing connector delivers what it queued (PUSH counts on it)
  o.reconnect_ivl_ms = 20;
  return o;
}

std::unique_ptr<socket> bound(context& ctx, socket_type type) {
  auto s = std::make_unique<socket>(ctx, type, quick());
  s->bind("tcp://127.0.0.1:*");
  return s;
}

std::string text(const message& m, size_t i = 0) { return std::string{m[i].view()}; }

} // namespace

void violation(workload& w, const std::string& what) {
  if (w.count.violations.fetch_add(1) < 5)
    std::fprintf(stderr, "soak: %s: %s\n", w.name.c_str(), what.c_str());
}

workloads::workloads(context& ctx, const std::atomic<bool>& running, const std::string& only)
    : ctx_(ctx), running_(running), pull_(bound(ctx, socket_type::pull)),
      pub_(bound(ctx, socket_type::pub)), rep_(bound(ctx, socket_type::rep)),
      router_(bound(ctx, socket_type::router)) {
  struct sides {
    workload* w;
    void (workloads::*bound_side)();
    void (workloads::*connecting_side)();
  };
  const sides table[] = {{&pipeline_, &workloads::run_puller, &workloads::run_pusher},
                         {&pubsub_, &workloads::run_publisher, &workloads::run_subscriber},
                         {&reqrep_, &workloads::run_replier, &workloads::run_requester},
                         {&routing_, &workloads::run_router, &workloads::run_dealers}};
  for (const auto& s : table) {
    if (!only.empty() && s.w->name != only)
      continue;
    running_set_.push_back(s.w);
    bound_.emplace_back([this, f = s.bound_side] { (this->*f)(); });
    connecting_.emplace_back([this, f = s.connecting_side] { (this->*f)(); });
  }
  if (running_set_.empty())
    throw std::invalid_argument("no workload named '" + only
                                + "' (push/pull, pub/sub, req/rep, router/dealer)");
}

workloads::~workloads() { stop_and_check(0ms); }

bool workloads::stop_and_check(std::chrono::milliseconds drain) {
  for (auto& t : connecting_)
    t.join();  // each closes its sockets, lingering until what it queued is written
  connecting_.clear();
  auto until = std::chrono::steady_clock::now() + drain;
  while (pipeline_.count.messages.load() < pushed_.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);  // polls the puller's count, with a deadline
  sides_running_ = false;
  for (auto& t : bound_)
    t.join();
  bound_.clear();
  if (drain.count() == 0)
    return true;
  uint64_t got = pipeline_.count.messages.load(), sent = pushed_.load();
  if (got != sent)
    violation(pipeline_, "sent " + std::to_string(sent) + ", received " + std::to_string(got));
  return got == sent;
}

// PUSH/PULL: each incarnation of the pusher connects, sends a burst numbered from 0 and closes
// (lingering); the puller checks that every incarnation's messages arrive in order, none twice.
void workloads::run_pusher() {
  std::string ep = pull_->last_endpoint();
  for (uint64_t incarnation = 0; running_; ++incarnation) {
    // End-to-end pacing: a closed pusher's last messages may still sit in kernel buffers that no
    // HWM bounds, so the next incarnation starts only once the puller has them all; otherwise a
    // slow puller would face ever more half-read connections (growth of the workload, not a leak).
    auto until = std::chrono::steady_clock::now() + 10s;
    while (pipeline_.count.messages.load() < pushed_.load() && running_) {
      if (std::chrono::steady_clock::now() > until) {
        violation(pipeline_, "the puller did not receive a closed pusher's messages in 10 s");
        break;
      }
      std::this_thread::sleep_for(1ms);  // polls the puller's count, with a deadline
    }
    socket push{ctx_, socket_type::push, quick()};
    push.connect(ep);
    pipeline_.count.connections++;
    for (uint64_t seq = 0; seq < pushes_per_connection && running_; ++seq) {
      if (!push.send(message{std::to_string(incarnation), std::to_string(seq)}, 2s)) {
        violation(pipeline_, "send blocked 2 s at HWM: the puller stalled");
        break;
      }
      pushed_++;
    }
    if (size_t discarded = push.close(); discarded != 0)
      violation(pipeline_, std::to_string(discarded) + " messages discarded at close");
  }
}

void workloads::run_puller() {
  std::unordered_map<std::string, uint64_t> next;  // per incarnation
  while (sides_running_) {
    auto m = pull_->recv(50ms);
    if (!m)
      continue;
    uint64_t seq = std::stoull(text(*m, 1));
    uint64_t& expected = next[text(*m, 0)];
    if (seq != expected)
      violation(pipeline_, "expected #" + std::to_string(expected) + ", got #" + std::to_string(seq));
    expected = seq + 1;
    if (expected == pushes_per_connection)
      next.erase(text(*m, 0));  // that incarnation is complete: keep the map small
    pipeline_.count.messages++;
  }
}

// PUB/SUB: a subscriber to "a" comes and goes; it must never see another topic.
void workloads::run_publisher() {
  for (uint64_t n = 0; sides_running_; ++n) {
    pub_->send(message{n % 2 == 0 ? "a" : "b", std::to_string(n)});
    if (n % 500 == 0)
      std::this_thread::sleep_for(1ms);  // pacing: a PUB never blocks, it would just drop
  }
}

void workloads::run_subscriber() {
  std::string ep = pub_->last_endpoint();
  while (running_) {
    socket sub{ctx_, socket_type::sub, quick()};
    sub.subscribe("a");
    sub.connect(ep);
    pubsub_.count.connections++;
    for (int i = 0; i < 20000 && running_; ++i) {
      auto m = sub.recv(1s);
      if (!m) {
        violation(pubsub_, "nothing published reached the subscriber in 1 s");
        break;
      }
      if (text(*m) != "a")
        violation(pubsub_, "received topic '" + text(*m) + "' without subscribing to it");
      pubsub_.count.messages++;
    }
  }
}

// REQ/REP: each REQ incarnation makes a few hundred requests; every reply must echo its request.
void workloads::run_replier() {
  while (sides_running_)
    if (auto m = rep_->recv(50ms))
      rep_->send(std::move(*m), 1s);
}

void workloads::run_requester() {
  std::string ep = rep_->last_endpoint();
  for (uint64_t id = 0; running_;) {
    socket req{ctx_, socket_type::req, quick()};
    req.connect(ep);
    reqrep_.count.connections++;
    for (int i = 0; i < 300 && running_; ++i, ++id) {
      std::string body = "request-" + std::to_string(id);
      auto reply = req.request(message{body}, 2s);
      if (!reply || text(*reply) != body) {
        violation(reqrep_, reply ? "wrong reply '" + text(*reply) + "'" : "no reply in 2 s");
        break;
      }
      reqrep_.count.messages++;
    }
  }
}

// ROUTER/DEALER: four dealers with their own identities come and go; the router echoes to the
// identity it received from, so each dealer must get exactly its own messages back.
void workloads::run_router() {
  while (sides_running_)
    if (auto m = router_->recv(50ms))
      router_->send(std::move(*m), 1s);
}

void workloads::run_dealers() {
  std::string ep = router_->last_endpoint();
  for (uint64_t generation = 0; running_; ++generation) {  // new identities: the router forgets
    std::vector<std::unique_ptr<socket>> dealers;
    for (int d = 0; d < 4; ++d) {
      socket_options o = quick();
      o.routing_id = "dealer-" + std::to_string(generation) + "-" + std::to_string(d);
      dealers.push_back(std::make_unique<socket>(ctx_, socket_type::dealer, o));
      dealers.back()->connect(ep);
      routing_.count.connections++;
    }
    for (int round = 0; round < 200 && running_; ++round) {
      for (int d = 0; d < 4; ++d)
        dealers[d]->send(message{"from-" + std::to_string(d)}, 1s);
      for (int d = 0; d < 4; ++d) {
        auto m = dealers[d]->recv(2s);
        if (!m || text(*m) != "from-" + std::to_string(d)) {
          violation(routing_, m ? "dealer-" + std::to_string(d) + " got '" + text(*m) + "'"
                                : "no echo in 2 s");
          return;
        }
        routing_.count.messages++;
      }
    }
  }
}

} // namespace cafmq::soak
