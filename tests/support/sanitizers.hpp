// What a sanitizer build changes for tests that measure the process itself.
#pragma once

namespace cafmq::test {

/// True in an ASan or TSan build (scripts/sanitize.sh): code runs several times slower there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized_build = true;
#else
constexpr bool sanitized_build = false;
#endif
#else
constexpr bool sanitized_build = false;
#endif

// ASan keeps freed memory in quarantine and TSan adds shadow memory for all that is touched, so
// resident memory says nothing about leaks or bounds there (LSan checks leaks instead).
constexpr bool rss_is_meaningful = !sanitized_build;

} // namespace cafmq::test
