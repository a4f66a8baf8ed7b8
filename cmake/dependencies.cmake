# Finds the Debian-packaged dependencies: CAF 0.17 (no CMake package), Boost.Asio (header-only),
# libsodium, and the test peers libzmq and GoogleTest.
find_package(Threads REQUIRED)

find_path(CAF_INCLUDE_DIR NAMES caf/all.hpp)
find_library(CAF_CORE_LIBRARY NAMES caf_core)
if(CAF_INCLUDE_DIR)
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_ver_line REGEX "^#define CAF_VERSION [0-9]+")
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _caf_ver "${_caf_ver_line}")
  math(EXPR _caf_major "${_caf_ver} / 10000")
  math(EXPR _caf_minor "(${_caf_ver} / 100) % 100")
  math(EXPR _caf_patch "${_caf_ver} % 100")
  set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAF REQUIRED_VARS CAF_CORE_LIBRARY CAF_INCLUDE_DIR
                                  VERSION_VAR CAF_VERSION)
if(CAF_VERSION VERSION_GREATER_EQUAL 0.18)
  message(FATAL_ERROR "cafmq uses the CAF 0.17 API, found ${CAF_VERSION}")
endif()
add_library(CAF::core UNKNOWN IMPORTED)
set_target_properties(CAF::core PROPERTIES
  IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)

find_path(BOOST_ASIO_INCLUDE_DIR NAMES boost/asio.hpp REQUIRED)
add_library(cafmq_asio INTERFACE)
target_include_directories(cafmq_asio SYSTEM INTERFACE "${BOOST_ASIO_INCLUDE_DIR}")
target_compile_definitions(cafmq_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(cafmq_asio INTERFACE Threads::Threads)

find_path(SODIUM_INCLUDE_DIR NAMES sodium.h REQUIRED)
find_library(SODIUM_LIBRARY NAMES sodium REQUIRED)

# Test peers only: never linked into the library.
find_path(ZMQ_INCLUDE_DIR NAMES zmq.h)
find_library(ZMQ_LIBRARY NAMES zmq)
