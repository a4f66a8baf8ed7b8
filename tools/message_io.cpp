// Waits that a stop ends, on a poller, and printing received messages.
#include "message_io.hpp"

#include "output_format.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace cafmq::cli {

namespace {
using clock = std::chrono::steady_clock;
} // namespace

interruptible::interruptible(socket& sock, const stop_signal& stop) : sock_(sock), stop_(stop) {}

interruptible::~interruptible() {
  if (interest_ == 0)
    return;
  try {
    poller_.remove(sock_);  // works on a closed socket too
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): nothing to undo on the way out
  }
}

void interruptible::watch(poll_flags interest) {
  if (interest_ == 0) {
    poller_.add(sock_, interest);
    poller_.add_fd(stop_.fd(), poll_in);
  } else if (interest != interest_) {
    poller_.modify(sock_, interest);
  }
  interest_ = interest;
}

// Tries at once (the busy case costs one atomic load, no clock and no system call), then sleeps
// on the poller until the socket is ready for `interest`, the stop's descriptor turns readable
// or the timeout passes, and tries again. A stop ends it even while messages keep coming.
template <class TryNow>
outcome interruptible::until(poll_flags interest, int timeout_ms, outcome done, TryNow try_now) {
  if (stop_.requested())
    return outcome::interrupted;
  if (try_now())
    return done;
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    if (stop_.requested())
      return outcome::interrupted;
    auto wait = std::chrono::milliseconds(-1);
    if (timeout_ms >= 0) {
      wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
      if (wait.count() <= 0)
        return outcome::timed_out;
    }
    watch(interest);
    poller_.wait(ready_, wait);
    if (try_now())
      return done;
    for (auto& e : ready_)
      if (e.sock == nullptr)  // the stop's descriptor
        return outcome::interrupted;
  }
}

outcome interruptible::recv(int timeout_ms, std::optional<message>& out, size_t ahead) {
  if (next_taken_ < taken_.size()) {
    out = std::move(taken_[next_taken_++]);
    return outcome::received;
  }
  taken_.clear();
  next_taken_ = 0;
  return until(poll_in, timeout_ms, outcome::received, [&] {
    if (sock_.recv_batch(taken_, std::max<size_t>(ahead, 1)) == 0)
      return false;
    out = std::move(taken_[next_taken_++]);
    return true;
  });
}

outcome interruptible::send(int timeout_ms, const message& msg) {
  // A copy per try shares the frame buffers: cheap.
  return until(poll_out, timeout_ms, outcome::sent,
               [&] { return sock_.send(msg, std::chrono::milliseconds(0)); });
}

outcome interruptible::send_copies(int timeout_ms, const message& msg, uint64_t count,
                                   uint64_t& sent) {
  constexpr uint64_t batch = 256;
  while (sent < count) {
    auto want = static_cast<size_t>(std::min(batch, count - sent));
    copies_.resize(want, msg);  // copies share the frame buffers: cheap
    auto result = until(poll_out, timeout_ms, outcome::sent, [&] {
      size_t k = sock_.send_batch(copies_);
      for (size_t i = 0; i < k; ++i)
        copies_[i] = msg;  // the sent ones were moved from
      sent += k;
      return k > 0;
    });
    if (result != outcome::sent)
      return result;
  }
  return outcome::sent;
}

void print_message(std::string& line, const message& msg, output_format format) {
  line.clear();
  append_message(line, msg, format);
  if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0)
    throw std::runtime_error("cannot write to stdout");
}

void print_received(unsigned long long n) {
  std::printf("received %llu\n", n);
  std::fflush(stdout);
}

} // namespace cafmq::cli
