# Finds libsodium and defines sodium::sodium. Sets sodium_FOUND. Installed with cafmq, so
# cafmqConfig.cmake finds libsodium the way cafmq's build did.
find_path(sodium_INCLUDE_DIR NAMES sodium.h)
find_library(sodium_LIBRARY NAMES sodium)
mark_as_advanced(sodium_INCLUDE_DIR sodium_LIBRARY)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(sodium REQUIRED_VARS sodium_LIBRARY sodium_INCLUDE_DIR)
if(sodium_FOUND AND NOT TARGET sodium::sodium)
  add_library(sodium::sodium UNKNOWN IMPORTED)
  set_target_properties(sodium::sodium PROPERTIES
    IMPORTED_LOCATION "${sodium_LIBRARY}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${sodium_INCLUDE_DIR}")
endif()
