// Hand-offs ThreadSanitizer cannot see. Debian's CAF is not instrumented, so data that crosses a
// CAF mailbox from a thread of ours to a reader outside any CAF handler (a scoped_actor's caller)
// looks unsynchronised to TSan. The sender calls release() on an address that travels with the
// data, the reader acquire() on the same one. Without TSan both compile to nothing.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define CAFMQ_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CAFMQ_UNDER_TSAN 1
#endif
#endif

#ifdef CAFMQ_UNDER_TSAN
extern "C" void __tsan_acquire(void* addr);  // NOLINT(bugprone-reserved-identifier)
extern "C" void __tsan_release(void* addr);  // NOLINT(bugprone-reserved-identifier)
#endif

namespace cafmq::tsan {

/// The address the actor face releases before each message it sends out of its socket actor
/// (batches, replies), and acquires when a message to send comes in: a peer outside CAF
/// handlers (a test's scoped_actor) does the reverse.
inline char actor_face_handoff = 0;

/// Before handing `addr`'s data over: everything this thread did so far happens before what the
/// thread that acquire()s `addr` does next.
inline void release(const void* addr) noexcept {
#ifdef CAFMQ_UNDER_TSAN
  __tsan_release(const_cast<void*>(addr));
#else
  static_cast<void>(addr);
#endif
}

/// After taking data another thread release()d at `addr`.
inline void acquire(const void* addr) noexcept {
#ifdef CAFMQ_UNDER_TSAN
  __tsan_acquire(const_cast<void*>(addr));
#else
  static_cast<void>(addr);
#endif
}

} // namespace cafmq::tsan
