// eventfd as a level: raised by a write of 1, lowered by a read, which resets the counter.
#include "runtime/core/readiness_hook.hpp"

#include "runtime/core/error.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

namespace cafmq {

namespace {

void write_one(int fd) noexcept {
  uint64_t one = 1;
  // EAGAIN only once the counter nears 2^64: it is readable then anyway.
  static_cast<void>(::write(fd, &one, sizeof one));
}

} // namespace

readiness_hook::~readiness_hook() {
  if (int fd = fd_.load(std::memory_order_acquire); fd >= 0)
    ::close(fd);
  delete callback_.load(std::memory_order_acquire);
}

void readiness_hook::wake() noexcept {
  if (int fd = fd_.load(std::memory_order_acquire); fd >= 0)
    write_one(fd);
  if (auto* fn = callback_.load(std::memory_order_acquire)) {
    try {
      (*fn)();
    } catch (...) {
      // The callback runs on an I/O thread, which must not unwind: its contract is noexcept.
    }
  }
}

int readiness_hook::descriptor() {
  int fd = fd_.load(std::memory_order_relaxed);
  if (fd >= 0)
    return fd;
  fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0)
    throw error{errc::internal, std::string("cannot create the readiness descriptor: eventfd: ")
                                  + std::strerror(errno)};
  fd_.store(fd, std::memory_order_release);
  raised_ = false;
  return fd;
}

void readiness_hook::raise() noexcept {
  int fd = fd_.load(std::memory_order_relaxed);
  if (fd < 0 || raised_)
    return;
  write_one(fd);
  raised_ = true;
}

void readiness_hook::lower() noexcept {
  int fd = fd_.load(std::memory_order_relaxed);
  if (fd < 0)
    return;
  uint64_t count = 0;
  static_cast<void>(::read(fd, &count, sizeof count));  // EAGAIN: it was not readable
  raised_ = false;
}

bool readiness_hook::set_callback(std::function<void()> fn) {
  auto owned = std::make_unique<std::function<void()>>(std::move(fn));
  std::function<void()>* expected = nullptr;
  if (!callback_.compare_exchange_strong(expected, owned.get(), std::memory_order_acq_rel))
    return false;
  static_cast<void>(owned.release());  // owned through callback_ from now on
  return true;
}

} // namespace cafmq
