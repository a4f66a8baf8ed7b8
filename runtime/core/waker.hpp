// How one side of a pipe wakes the other: only on an edge (empty -> non-empty, full -> low water),
// never per message.
#pragma once

#include <functional>
#include <mutex>

namespace cafmq {

/// Something that can be told "look again".
class waker {
public:
  virtual ~waker() = default;
  /// Wakes the sleeping side; safe from any thread.
  virtual void wake() noexcept = 0;
};

/// Wakes whichever I/O engine currently serves a pipe (a connector's pipe outlives connections).
/// The lock is taken once per wake-up edge, not per message.
class io_waker final : public waker {
public:
  /// Installs (or with nullptr removes) the action that kicks the engine.
  void set_target(std::function<void()> target) {
    std::lock_guard<std::mutex> guard{mtx_};
    target_ = std::move(target);
  }
  void wake() noexcept override {
    std::lock_guard<std::mutex> guard{mtx_};
    if (target_)
      target_();
  }

private:
  std::mutex mtx_;
  std::function<void()> target_;
};

} // namespace cafmq
