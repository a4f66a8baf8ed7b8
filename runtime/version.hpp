// cafmq's version: the macros give the headers' version at compile time, cafmq::version() the
// library's at run time, so a program can detect headers and library that do not match. This
// file is the single source of truth: CMakeLists.txt reads the three numbers from it.
#pragma once

#define CAFMQ_VERSION_MAJOR 0
#define CAFMQ_VERSION_MINOR 1
#define CAFMQ_VERSION_PATCH 0

#define CAFMQ_VERSION_STRINGIFY_(x) #x
#define CAFMQ_VERSION_STRINGIFY(x) CAFMQ_VERSION_STRINGIFY_(x)
/// "major.minor.patch", e.g. "0.1.0".
#define CAFMQ_VERSION                                                                 \
  CAFMQ_VERSION_STRINGIFY(CAFMQ_VERSION_MAJOR) "." CAFMQ_VERSION_STRINGIFY(           \
    CAFMQ_VERSION_MINOR) "." CAFMQ_VERSION_STRINGIFY(CAFMQ_VERSION_PATCH)
/// One comparable number, major * 10000 + minor * 100 + patch: 0.1.0 is 100.
#define CAFMQ_MAKE_VERSION(maj, min, pat) ((maj) * 10000 + (min) * 100 + (pat))
#define CAFMQ_VERSION_NUMBER                                                          \
  CAFMQ_MAKE_VERSION(CAFMQ_VERSION_MAJOR, CAFMQ_VERSION_MINOR, CAFMQ_VERSION_PATCH)

namespace cafmq {

/// A library version. 0.x releases break the ABI between minor versions (the SONAME is
/// libcafmq.so.MAJOR.MINOR); patch releases keep it.
struct version_info {
  int major;
  int minor;
  int patch;
  const char* text; ///< "major.minor.patch"
};

/// The version of the library the program runs against (the CAFMQ_VERSION macros are the
/// version of the headers it was compiled with).
version_info version() noexcept;

} // namespace cafmq
