// One thread owns the DEALER socket to the handler. Idle, it sleeps on a condition variable;
// while requests are out, it receives in short slices so that new requests still go out
// promptly (the socket is not thread-safe, so only this thread may send).
#include "runtime/zap_client.hpp"

#include "actors/control.hpp"
#include "runtime/core/log.hpp"
#include "runtime/socket.hpp"
#include "security/zap_codec.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace cafmq {

namespace {

using clock = std::chrono::steady_clock;
constexpr auto receive_slice = std::chrono::milliseconds(2);

struct pending_request {
  std::function<void(const auth_reply&)> done;
  clock::time_point deadline;
};

} // namespace

struct zap_client::state {
  std::mutex mtx;
  std::condition_variable wake;
  std::deque<std::pair<auth_request, std::function<void(const auth_reply&)>>> queue;
  bool stop = false;
  std::thread worker;

  void run(socket& dealer, std::chrono::milliseconds timeout) {
    std::map<std::string, pending_request> pending;
    uint64_t next_id = 0;
    std::unique_lock<std::mutex> lock{mtx};
    while (!stop) {
      if (queue.empty() && pending.empty()) {
        wake.wait(lock, [&] { return stop || !queue.empty(); });
        continue;
      }
      auto fresh = std::move(queue);
      queue.clear();
      lock.unlock();
      for (auto& [request, done] : fresh) {
        auto id = std::to_string(++next_id);
        try {
          if (!dealer.send(security::make_zap_request(request, id), std::chrono::milliseconds(0))) {
            done({500, "the ZAP handler's queue is full", {}});
            continue;
          }
        } catch (const error& e) {
          done({500, std::string("cannot ask the ZAP handler: ") + e.what(), {}});
          continue;
        }
        pending[id] = {std::move(done), clock::now() + timeout};
      }
      if (auto m = dealer.recv(receive_slice))
        answer(*m, pending);
      expire(pending, clock::now());
      lock.lock();
    }
    lock.unlock();
    for (auto& [id, p] : pending)
      p.done({500, "the ZAP client stopped", {}});
  }

  static void answer(const message& m, std::map<std::string, pending_request>& pending) {
    // The request id is the third frame ("" "1.0" id ...); a reply we cannot place is dropped.
    if (m.size() < 3)
      return log::write(log::level::warn, "zap", "a ZAP reply with fewer than 3 frames");
    auto it = pending.find(m[2].to_string());
    if (it == pending.end())
      return log::write(log::level::warn, "zap", "a ZAP reply to no pending request");
    auto parsed = security::parse_zap_reply(m, it->first);
    if (parsed)
      it->second.done(parsed.value->reply);
    else
      it->second.done({500, "malformed ZAP reply: " + parsed.error, {}});
    pending.erase(it);
  }

  static void expire(std::map<std::string, pending_request>& pending, clock::time_point now) {
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->second.deadline > now) {
        ++it;
        continue;
      }
      it->second.done({500, "the ZAP handler did not answer in time", {}});
      it = pending.erase(it);
    }
  }
};

zap_client::zap_client(context& ctx, const std::string& endpoint,
                       std::chrono::milliseconds timeout)
  : zap_client(ctx.control(), endpoint, timeout) {
}

zap_client::zap_client(std::shared_ptr<actors::control> control, const std::string& endpoint,
                       std::chrono::milliseconds timeout)
  : st_(std::make_shared<state>()) {
  socket_options o;
  o.linger_ms = 0;
  auto dealer = std::make_shared<socket>(std::move(control), socket_type::dealer, o);
  dealer->connect(endpoint);
  st_->worker = std::thread([st = st_, dealer, timeout] {
    try {
      st->run(*dealer, timeout);
    } catch (const error& e) {  // the context went away under us
      log::write(log::level::info, "zap", std::string("ZAP client stopped: ") + e.what());
      std::lock_guard<std::mutex> guard{st->mtx};
      st->stop = true;
      for (auto& [request, done] : st->queue)
        done({500, "the ZAP client stopped", {}});
      st->queue.clear();
    }
  });
}

zap_client::~zap_client() {
  {
    std::lock_guard<std::mutex> guard{st_->mtx};
    st_->stop = true;
  }
  st_->wake.notify_one();
  // The worker holds the last reference to the context's control when the context died under
  // it; the control's end then destroys this client on the worker itself, which must not join.
  if (st_->worker.get_id() == std::this_thread::get_id())
    st_->worker.detach();
  else
    st_->worker.join();
  for (auto& [request, done] : st_->queue)
    done({500, "the ZAP client stopped", {}});
}

authenticator_ptr context_zap_handler(const std::shared_ptr<actors::control>& control) {
  constexpr std::string_view name = security::zap_endpoint.substr(std::string_view("inproc://").size());
  if (control->terminated() || !control->inproc_bound(std::string(name)))
    return nullptr;
  return control->inproc_zap([&control]() -> authenticator_ptr {
    try {
      return std::make_shared<zap_client>(control, std::string(security::zap_endpoint),
                                          std::chrono::milliseconds(5000));
    } catch (const error& e) {  // the context is ending
      log::write(log::level::info, "zap", std::string("no ZAP client: ") + e.what());
      return nullptr;
    }
  });
}

void zap_client::authenticate(const auth_request& request,
                              std::function<void(const auth_reply&)> done) {
  {
    std::lock_guard<std::mutex> guard{st_->mtx};
    if (!st_->stop) {
      st_->queue.emplace_back(request, std::move(done));
      st_->wake.notify_one();
      return;
    }
  }
  done({500, "the ZAP client stopped", {}});
}

} // namespace cafmq
