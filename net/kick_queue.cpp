// The kick stack is a Treiber stack that is only pushed to and taken whole (no ABA); the eventfd
// is written only by the push that finds the stack empty, so a burst of kicks costs one system
// call on each side.
#include "net/kick_queue.hpp"

#include "runtime/core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace cafmq::net {

namespace asio = boost::asio;

struct kick_queue::impl {
  impl(asio::io_context& ctx, int fd) : descriptor(ctx, fd), fd(fd) {}
  asio::posix::stream_descriptor descriptor;  // owns (and closes) fd
  int fd;
  uint64_t count = 0;                         // what the eventfd read last (unused)
};

namespace {

int open_eventfd() {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "cannot create the I/O thread's eventfd");
  return fd;
}

} // namespace

kick_queue::kick_queue(void* io_context)
  : impl_(std::make_unique<impl>(*static_cast<asio::io_context*>(io_context), open_eventfd())) {
  arm();
}

kick_queue::~kick_queue() {
  // The I/O thread has stopped: release what is still queued.
  for (kickable* k = head_.exchange(nullptr, std::memory_order_acquire); k != nullptr;) {
    kickable* next = k->next_;
    auto keep = std::move(k->keep_alive_);
    k->queued_.store(false, std::memory_order_release);
    k = next;
  }
}

void kick_queue::kick(std::shared_ptr<kickable> target) noexcept {
  kickable* k = target.get();
  // acq_rel on both sides: whichever of this exchange and the I/O thread's unqueueing comes
  // second sees what the other side did before it (a message published, or a pipe read).
  if (k->queued_.exchange(true, std::memory_order_acq_rel))
    return;  // queued already, and not yet run: that run will see what this kick announces
  k->keep_alive_ = std::move(target);
  kickable* old = head_.load(std::memory_order_relaxed);
  do {
    k->next_ = old;
  } while (!head_.compare_exchange_weak(old, k, std::memory_order_release, std::memory_order_relaxed));
  if (old != nullptr)
    return;  // the push that found the stack empty has woken (or will wake) the I/O thread
  uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(impl_->fd, &one, sizeof one);  // only fails on overflow
}

// A read, not an async_wait: Asio first tries the read itself and, when the eventfd is not
// signalled, waits on its edge-triggered registration; an async_wait would re-register the
// descriptor with epoll_ctl every time.
void kick_queue::arm() {
  impl_->descriptor.async_read_some(asio::buffer(&impl_->count, sizeof impl_->count),
                                    [this](const boost::system::error_code& ec, size_t) {
                                      if (ec == asio::error::operation_aborted)
                                        return;  // closed: the loop is going away
                                      if (ec)  // never seen; kicks must go on regardless
                                        log::write(log::level::error, "io",
                                                   "kick eventfd read failed: " + ec.message());
                                      run_queued();
                                      arm();
                                    });
}

// The read above reset the eventfd before this takes the stack: a push after it writes again.
void kick_queue::run_queued() {
  kickable* fifo = nullptr;  // the stack reversed: engines run in the order they were kicked
  for (kickable* k = head_.exchange(nullptr, std::memory_order_acquire); k != nullptr;) {
    kickable* next = k->next_;
    k->next_ = fifo;
    fifo = k;
    k = next;
  }
  while (fifo != nullptr) {
    kickable* k = fifo;
    fifo = k->next_;  // read before unqueueing: a new kick may relink k at once
    auto keep = std::move(k->keep_alive_);
    k->queued_.exchange(false, std::memory_order_acq_rel);
    k->on_kick();
  }
}

} // namespace cafmq::net
