# Finds the Debian-packaged dependencies: CAF 0.17 (no CMake package: cmake/modules/FindCAF.cmake),
# Boost.Asio (header-only), libsodium, and the test peers libzmq and GoogleTest.
list(APPEND CMAKE_MODULE_PATH "${PROJECT_SOURCE_DIR}/cmake/modules")
find_package(Threads REQUIRED)

if(CAFMQ_PURE_ONLY)  # the pure layers do not use CAF
  find_package(CAF)
else()
  find_package(CAF REQUIRED)
endif()
if(CAF_VERSION VERSION_GREATER_EQUAL 0.18)
  message(FATAL_ERROR "cafmq uses the CAF 0.17 API, found ${CAF_VERSION}")
endif()

find_path(BOOST_ASIO_INCLUDE_DIR NAMES boost/asio.hpp REQUIRED)
add_library(cafmq_asio INTERFACE)
target_include_directories(cafmq_asio SYSTEM INTERFACE "${BOOST_ASIO_INCLUDE_DIR}")
target_compile_definitions(cafmq_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(cafmq_asio INTERFACE Threads::Threads)

find_package(sodium REQUIRED)

# Test peers only: never linked into the library.
find_path(ZMQ_INCLUDE_DIR NAMES zmq.h)
find_library(ZMQ_LIBRARY NAMES zmq)
