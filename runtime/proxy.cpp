// The proxy loop: a cafmq::poller over the two sides (and the control socket), each direction
// a batch taken with recv_batch and handed on with send_batch; a direction with messages left
// over waits for poll_out on its destination instead of reading more.
#include "runtime/proxy.hpp"

#include "runtime/poller.hpp"
#include "runtime/socket.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace cafmq {
namespace {

bool can_receive(socket_type t) {
  return t != socket_type::pub && t != socket_type::push;
}

bool can_send(socket_type t) {
  return t != socket_type::sub && t != socket_type::pull;
}

[[noreturn]] void bad_argument(const std::string& what) {
  throw error{errc::invalid_argument, "proxy: " + what};
}

// One way through the proxy: what was read from `from` and not yet taken by `to`.
struct direction {
  socket* from = nullptr;
  socket* to = nullptr;
  bool active = false;
  uint64_t* messages_in = nullptr;
  uint64_t* bytes_in = nullptr;
  uint64_t* messages_out = nullptr;
  uint64_t* bytes_out = nullptr;
  std::vector<message> held;
  size_t next = 0;  // held[next..] are still to send

  bool holding() const { return next < held.size(); }
};

class proxy_loop {
public:
  proxy_loop(socket& frontend, socket& backend, socket* capture, socket* control)
    : frontend_(frontend), backend_(backend), capture_(capture), control_(control) {
    auto& s = result_.statistics;
    wire(forward_, frontend, backend, s.frontend_messages_in, s.frontend_bytes_in,
         s.backend_messages_out, s.backend_bytes_out);
    wire(backward_, backend, frontend, s.backend_messages_in, s.backend_bytes_in,
         s.frontend_messages_out, s.frontend_bytes_out);
  }

  proxy_result run() {
    try {
      if (control_ != nullptr)
        poller_.add(*control_, poll_in);
      std::vector<poller::event> ready;
      while (!terminated_) {
        update_interest(frontend_, frontend_interest_);
        update_interest(backend_, backend_interest_);
        poller_.wait(ready);
        if (control_ != nullptr)
          serve_control();
        if (terminated_)
          break;
        auto readiness = [&](const socket* s) {
          poll_flags f = 0;
          for (const auto& e : ready)
            if (e.sock == s)
              f |= e.events;
          return f;
        };
        poll_flags front = readiness(&frontend_), back = readiness(&backend_);
        move(forward_, front, back);
        move(backward_, back, front);
      }
      result_.end = proxy_end::terminate_command;
    } catch (const error& e) {
      if (e.code() != errc::socket_closed)
        throw;
      result_.end = proxy_end::socket_closed;
    }
    return result_;
  }

private:
  static void wire(direction& d, socket& from, socket& to, uint64_t& messages_in, uint64_t& bytes_in,
                   uint64_t& messages_out, uint64_t& bytes_out) {
    d.from = &from;
    d.to = &to;
    d.active = can_receive(from.type()) && can_send(to.type());
    d.messages_in = &messages_in;
    d.bytes_in = &bytes_in;
    d.messages_out = &messages_out;
    d.bytes_out = &bytes_out;
    if (d.active)
      d.held.reserve(proxy_batch);
  }

  // What `s` waits for: input while its outgoing direction holds nothing (and is not paused),
  // room while the direction into it holds messages.
  poll_flags wanted(const socket& s) const {
    poll_flags want = 0;
    for (const direction* d : {&forward_, &backward_}) {
      if (!d->active)
        continue;
      if (d->from == &s && !d->holding() && !paused_)
        want |= poll_in;
      if (d->to == &s && d->holding())
        want |= poll_out;
    }
    return want;
  }

  void update_interest(socket& s, poll_flags& current) {
    auto want = wanted(s);
    if (want == current)
      return;
    if (current == 0)
      poller_.add(s, want);
    else if (want == 0)
      poller_.remove(s);
    else
      poller_.modify(s, want);
    current = want;
  }

  // Reads a batch if nothing is held (and not paused), then hands on what it can; only when
  // the poller found `from` readable or `to` writable (a wake-up for the other direction costs
  // this one nothing).
  void move(direction& d, poll_flags from_ready, poll_flags to_ready) {
    if (!d.active)
      return;
    if (d.holding() ? (to_ready & poll_out) == 0 : (from_ready & poll_in) == 0)
      return;
    if (!d.holding() && !paused_) {
      d.held.clear();
      d.next = 0;
      size_t n = d.from->recv_batch(d.held, proxy_batch);
      if (n == 0)
        return;
      *d.messages_in += n;
      for (const auto& m : d.held) {
        *d.bytes_in += m.byte_size();
        if (capture_ != nullptr)
          copy_to_capture(m);
      }
      if (d.to->type() == socket_type::router)
        drop_unroutable(d.held);
    }
    if (!d.holding())
      return;
    size_t first = d.next;
    uint64_t held_bytes = 0;
    for (size_t i = first; i < d.held.size(); ++i)
      held_bytes += d.held[i].byte_size();  // before send_batch moves them out
    size_t sent = d.to->send_batch(d.held, first);
    d.next += sent;
    *d.messages_out += sent;
    for (size_t i = d.next; i < d.held.size(); ++i)
      held_bytes -= d.held[i].byte_size();  // what stays held (untouched by send_batch)
    *d.bytes_out += held_bytes;
  }

  // A peer of the other side may send one frame (no routing id and body): the ROUTER would
  // refuse it, so it goes here, counted, and every other message still passes.
  void drop_unroutable(std::vector<message>& held) {
    auto kept = std::remove_if(held.begin(), held.end(), [](const message& m) { return m.size() < 2; });
    result_.statistics.unroutable_dropped += static_cast<uint64_t>(held.end() - kept);
    held.erase(kept, held.end());
  }

  void copy_to_capture(const message& m) {
    capture_batch_.clear();
    capture_batch_.push_back(m);  // shares the frames' buffers
    if (capture_->send_batch(capture_batch_) == 0)
      ++result_.statistics.capture_dropped;
  }

  void serve_control() {
    while (auto cmd = control_->recv(std::chrono::milliseconds{0})) {
      auto word = cmd->empty() ? std::string_view{} : (*cmd)[0].view();
      bool is_rep = control_->type() == socket_type::rep;
      if (word == "STATISTICS") {
        if (can_send(control_->type()))
          control_->send(statistics_message(result_.statistics), std::chrono::milliseconds{0});
        continue;
      }
      if (word == "PAUSE")
        paused_ = true;
      else if (word == "RESUME")
        paused_ = false;
      else if (word == "TERMINATE")
        terminated_ = true;
      if (is_rep)
        control_->send(message{frame{}}, std::chrono::milliseconds{0});
      if (terminated_)
        return;
    }
  }

  socket& frontend_;
  socket& backend_;
  socket* capture_;
  socket* control_;
  poller poller_;
  direction forward_;
  direction backward_;
  poll_flags frontend_interest_ = 0;
  poll_flags backend_interest_ = 0;
  bool paused_ = false;
  bool terminated_ = false;
  std::vector<message> capture_batch_;
  proxy_result result_;
};

} // namespace

void check_proxy_arguments(socket& frontend, socket& backend, socket* capture, socket* control) {
  if (&frontend == &backend)
    bad_argument("the frontend and the backend are the same socket");
  for (socket* s : {capture, control})
    if (s == &frontend || s == &backend)
      bad_argument("the capture or control socket is also the frontend or the backend");
  if (capture != nullptr && capture == control)
    bad_argument("the capture and the control are the same socket");
  for (socket* s : {&frontend, &backend, capture})
    if (s != nullptr && (s->type() == socket_type::req || s->type() == socket_type::rep))
      bad_argument("a " + std::string(zmtp_name(s->type()))
                   + " cannot be a proxy's frontend, backend or capture: its send/receive turns "
                     "would stop the proxy (use ROUTER, DEALER, or the other types)");
  if (control != nullptr && (control->type() == socket_type::req || control->type() == socket_type::router))
    bad_argument("the control socket cannot be a " + std::string(zmtp_name(control->type()))
                 + " (use PAIR, PULL, SUB or REP)");
  bool forward = can_receive(frontend.type()) && can_send(backend.type());
  bool backward = can_receive(backend.type()) && can_send(frontend.type());
  if (!forward && !backward)
    bad_argument("nothing to forward between a " + std::string(zmtp_name(frontend.type()))
                 + " frontend and a " + std::string(zmtp_name(backend.type())) + " backend");
  if (capture != nullptr && !can_send(capture->type()))
    bad_argument("the capture socket must be able to send, a "
                 + std::string(zmtp_name(capture->type())) + " cannot");
  if (control != nullptr && !can_receive(control->type()))
    bad_argument("the control socket must be able to receive, a "
                 + std::string(zmtp_name(control->type())) + " cannot");
  for (socket* s : {&frontend, &backend, capture, control})
    if (s != nullptr)
      (void)s->events();  // throws socket_closed for a closed socket
}

proxy_result proxy(socket& frontend, socket& backend, socket* capture, socket* control) {
  try {
    check_proxy_arguments(frontend, backend, capture, control);
  } catch (const error& e) {
    if (e.code() != errc::socket_closed)
      throw;
    return {};  // closed already: the same end as closed a moment later
  }
  proxy_loop loop{frontend, backend, capture, control};
  return loop.run();
}

message statistics_message(const proxy_statistics& s) {
  message reply;
  for (uint64_t v : {s.frontend_messages_in, s.frontend_bytes_in, s.frontend_messages_out,
                     s.frontend_bytes_out, s.backend_messages_in, s.backend_bytes_in,
                     s.backend_messages_out, s.backend_bytes_out})
    reply.add(frame{&v, sizeof v});
  return reply;
}

std::optional<proxy_statistics> parse_statistics(const message& reply) {
  if (reply.size() != 8)
    return std::nullopt;
  uint64_t v[8];
  for (size_t i = 0; i < 8; ++i) {
    if (reply[i].size() != sizeof(uint64_t))
      return std::nullopt;
    std::memcpy(&v[i], reply[i].data(), sizeof(uint64_t));
  }
  proxy_statistics s;
  s.frontend_messages_in = v[0];
  s.frontend_bytes_in = v[1];
  s.frontend_messages_out = v[2];
  s.frontend_bytes_out = v[3];
  s.backend_messages_in = v[4];
  s.backend_bytes_in = v[5];
  s.backend_messages_out = v[6];
  s.backend_bytes_out = v[7];
  return s;
}

} // namespace cafmq
