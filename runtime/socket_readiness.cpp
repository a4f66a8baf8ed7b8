// Readiness: events(), the readiness descriptor and callback. poll_in is exact (a message is
// taken ahead into state::prefetched); poll_out asks the pattern, whose prepare_wait_send() also
// arms the wake-up for when room comes, as prepare_wait_recv() does for messages.
#include "runtime/socket.hpp"

#include "actors/control.hpp"
#include "runtime/core/socket_descriptor.hpp"
#include "runtime/socket_state.hpp"

namespace cafmq {

namespace {

// prefetch() tries again while a ring holds messages the pattern does not hand out (filtered,
// stale): each round discards at least one. Past this many, readiness is reported and the
// next call looks again, so a flood of filtered messages never holds the caller here.
constexpr int prefetch_rounds = 64;

} // namespace

std::optional<message> socket::take_prefetched() {
  auto& st = *state_;
  message newer;
  if (options_.conflate && st.pattern->try_recv(newer)) {
    // CONFLATE keeps only the newest: one that came after the prefetch replaces it.
    st.prefetched_peer.update(st.pattern->last_source());
    st.prefetched = std::move(newer);
  }
  message out = std::move(*st.prefetched);
  st.prefetched.reset();
  ++st.received;
  st.last_peer = st.prefetched_peer;
  return out;
}

// Takes the next message ahead for recv(). False when there is none now, having armed the
// wake-up for the next one (so a hook hears of it), or having woken the hook itself when it
// stopped discarding before the rings were empty: either way a hook hears of what comes next.
bool socket::prefetch() {
  auto& st = *state_;
  if (st.prefetched)
    return true;
  if (!descriptor_of(type_).receives || !st.pattern->recv_allowed())
    return false;  // REQ before a request, REP before its reply: not the time to receive
  message out;
  for (int round = 0; round < prefetch_rounds; ++round) {
    try {
      if (st.pattern->try_recv(out)) {
        st.prefetched_peer.update(st.pattern->last_source());
        st.prefetched = std::move(out);
        return true;
      }
    } catch (const error& e) {
      if (e.code() == errc::wrong_state)
        return false;  // as recv_allowed() says; kept for a pattern that only says it here
      throw;
    }
    if (st.pattern->prepare_wait_recv())
      return false;  // armed, and nothing arrived meanwhile
  }
  st.hub->user_waker()->wake();  // more to discard: not ready yet, but look again soon
  return false;
}

// Whether send(0) would queue now (or let its full_policy take the message); arms the wake-up
// for room when it would not.
bool socket::writable() {
  auto& st = *state_;
  if (!descriptor_of(type_).sends || !st.pattern->send_allowed())
    return false;
  if (st.prefetched && (type_ == socket_type::req || type_ == socket_type::rep))
    return false;  // its turn is to receive (see send_until)
  if (st.policy != full_policy::block)
    return true;  // drops or throws instead of blocking: never waits
  auto& budget = st.hub->send_budget();
  st.budget_blocked = budget && st.recount_budget() >= budget->limit;
  return !st.prepare_wait_send();
}

poll_flags socket::current_events() {
  require_open();
  state_->absorb();
  poll_flags ready = 0;
  if (prefetch())
    ready |= poll_in;
  if (writable())
    ready |= poll_out;
  return ready;
}

readiness_hook& socket::hook() {
  auto& st = *state_;
  if (st.hook == nullptr) {
    auto owned = std::make_unique<readiness_hook>();
    auto* raw = owned.get();
    if (!st.hub->user_waker()->install_hook(std::move(owned)))
      throw error{errc::internal, "the socket's signaler has a hook already"};
    st.hook = raw;
  }
  return *st.hook;
}

// After the socket's own calls, once a hook exists: raises the descriptor if the socket is
// ready for its interest, else lowers it and looks once more, since what arrived between the
// look and the lowering woke a descriptor that was still raised. Returns what it found.
poll_flags socket::refresh_readiness() {
  auto& st = *state_;
  if (closed_ || control_->terminated()) {
    st.hook->raise();  // the next call throws: let the loop make it
    return 0;
  }
  poll_flags ready = current_events();
  if ((ready & st.interest) != 0) {
    st.hook->raise();
    return ready;
  }
  st.hook->lower();
  ready = current_events();
  if ((ready & st.interest) != 0)
    st.hook->raise();
  return ready;
}

poll_flags socket::events() {
  thread_check::scope one{live("events").one_thread, "events"};
  if (state_->hook == nullptr)
    return current_events();
  require_open();
  return refresh_readiness();
}

size_t socket::recv_batch(std::vector<message>& out, size_t max,
                          std::vector<peer_properties_ptr>* peers) {
  thread_check::scope one{live("recv_batch").one_thread, "recv_batch"};
  size_t taken = 0;
  // After the first, a REQ's reply or a REP's request ends the batch: the next is the user's
  // turn to send (the first, like recv(), throws wrong_state when it is not the time).
  while (taken < max && (taken == 0 || state_->pattern->recv_allowed() || state_->prefetched)) {
    auto m = recv_until(0);
    if (!m)
      break;
    out.push_back(std::move(*m));
    if (peers != nullptr)
      peers->push_back(state_->last_peer.peer);
    ++taken;
  }
  if (state_->hook != nullptr)
    refresh_readiness();
  return taken;
}

size_t socket::send_batch(std::vector<message>& msgs, size_t first) {
  thread_check::scope one{live("send_batch").one_thread, "send_batch"};
  size_t sent = 0;
  for (size_t i = first; i < msgs.size() && send_until(msgs[i], 0); ++i)
    ++sent;
  if (monitor_->active())
    report_drops(false);
  if (state_->hook != nullptr)
    refresh_readiness();
  return sent;
}

int socket::readiness_fd(poll_flags interest) {
  thread_check::scope one{live("readiness_fd").one_thread, "readiness_fd"};
  if ((interest & ~(poll_in | poll_out)) != 0 || interest == 0)
    throw error{errc::invalid_argument, "readiness_fd: the interest must be poll_in, poll_out or "
                                        "both, not " + std::to_string(interest)};
  require_open();
  int fd = hook().descriptor();
  state_->interest = interest;
  refresh_readiness();
  return fd;
}

void socket::set_readiness_callback(std::function<void()> fn) {
  thread_check::scope one{live("set_readiness_callback").one_thread, "set_readiness_callback"};
  if (!fn)
    throw error{errc::invalid_argument, "set_readiness_callback: the callback is empty"};
  require_open();
  if (!hook().set_callback(std::move(fn)))
    throw error{errc::wrong_state, "set_readiness_callback: the socket has a readiness callback "
                                   "already (one per socket)"};
  refresh_readiness();  // arms the wake-ups, so the callback hears of what comes from now on
}

} // namespace cafmq
