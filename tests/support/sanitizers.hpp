// What a sanitizer build changes for tests that measure the process itself.
#pragma once

namespace cafmq::test {

// ASan keeps freed memory in quarantine and TSan adds shadow memory for all that is touched, so
// resident memory says nothing about leaks or bounds there (LSan checks leaks instead).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool rss_is_meaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool rss_is_meaningful = false;
#else
constexpr bool rss_is_meaningful = true;
#endif
#else
constexpr bool rss_is_meaningful = true;
#endif

} // namespace cafmq::test
