# `cmake --install`: the public headers under include/cafmq, libcafmq, the CMake package
# (find_package(cafmq) -> cafmq::cafmq), cafmq.pc for pkg-config, and the `cafmq` tool when it
# is built (tools/CMakeLists.txt). docs/building.md, "Install and use".
include(CMakePackageConfigHelpers)

# The headers cafmq.hpp and actor_api.hpp include, and no more: the rest of runtime/core is
# internal. scripts/test-install.sh compiles each installed header alone, so a public header
# that starts including one missing here fails there.
install(FILES
  runtime/actor_api.hpp runtime/cafmq.hpp runtime/certificates.hpp runtime/context.hpp runtime/socket.hpp
  runtime/socket_stats.hpp runtime/version.hpp runtime/zap_client.hpp
  runtime/poller.hpp runtime/proxy.hpp
  runtime/paranoid_pirate.hpp runtime/majordomo_broker.hpp runtime/majordomo.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq)
install(FILES
  runtime/core/authenticator.hpp runtime/core/authorization.hpp runtime/core/connection_end.hpp
  runtime/core/endpoint.hpp
  runtime/core/error.hpp runtime/core/frame.hpp runtime/core/log.hpp runtime/core/mechanism.hpp
  runtime/core/message.hpp runtime/core/monitor_event.hpp runtime/core/monitor_hub.hpp
  runtime/core/options.hpp runtime/core/peer_properties.hpp runtime/core/poll_flags.hpp
  runtime/core/process_credentials.hpp
  runtime/core/socket_type.hpp
  runtime/core/supervision.hpp runtime/core/user_executor.hpp runtime/core/zmtp_command.hpp
  runtime/core/option_keys.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq/core)
# The Asio face (opt-in: <cafmq/asio.hpp> includes Boost.Asio) and what it includes.
install(FILES runtime/asio.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq)
install(FILES runtime/asio/detail.hpp runtime/asio/error.hpp runtime/asio/io_thread.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq/asio)
install(FILES runtime/core/thread_check.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq/core)

install(TARGETS cafmq EXPORT cafmqTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

set(cafmq_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cafmq)
install(EXPORT cafmqTargets NAMESPACE cafmq:: DESTINATION ${cafmq_cmake_dir})
configure_package_config_file(cmake/package/cafmqConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cafmqConfig.cmake INSTALL_DESTINATION ${cafmq_cmake_dir})
# 0.x: only the same minor version is compatible (find_package(cafmq 0.1) accepts 0.1.x).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cafmqConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cafmqConfig.cmake ${PROJECT_BINARY_DIR}/cafmqConfigVersion.cmake
  cmake/modules/FindCAF.cmake cmake/modules/Findsodium.cmake
  DESTINATION ${cafmq_cmake_dir})

# pkg-config: the prefix is found from the .pc file's own place, so the file stays right
# whatever `cmake --install --prefix` says.
file(RELATIVE_PATH cafmq_pc_to_prefix "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" cafmq_pc_to_prefix "${cafmq_pc_to_prefix}")
# A static libcafmq needs CAF and libsodium at link time (pkg-config --static); a shared one
# does not, so its .pc names neither (libsodium.pc need not be installed to use it).
if(CAFMQ_SHARED)
  set(cafmq_pc_private "")
else()
  set(cafmq_pc_private "Requires.private: libsodium\nLibs.private: -lcaf_core -pthread\n")
endif()
configure_file(cmake/package/cafmq.pc.in ${PROJECT_BINARY_DIR}/cafmq.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cafmq.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The CAF actor face (opt-in, includes CAF 0.17): docs/actors.md.
install(FILES runtime/actor_socket.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq)
# The supervised proxy actor (opt-in, includes CAF 0.17): docs/proxy.md.
install(FILES runtime/proxy_actor.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cafmq)
