# The internal layers (runtime/core, patterns, net, security, actors) are OBJECT libraries: their
# objects are compiled once and folded into the one library, libcafmq (runtime/CMakeLists.txt).
# Unit tests and fuzz targets link the layers they test directly and never libcafmq as well, so
# no executable holds the same object twice.

# Position-independent when libcafmq is shared. Nobody interposes cafmq's internals, so calls
# inside the library bind to its own definitions as in a static build: the compiler may inline
# them (-fno-semantic-interposition) and the linker calls them directly, not through the PLT
# (-Bsymbolic-functions, on libcafmq itself).
function(cafmq_library_flags target)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ${CAFMQ_SHARED})
  if(CAFMQ_SHARED)
    target_compile_options(${target} PRIVATE -fno-semantic-interposition)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "SHARED_LIBRARY")
      target_link_options(${target} PRIVATE -Wl,-Bsymbolic-functions)
    endif()
  endif()
endfunction()

# cafmq_add_layer(name): an OBJECT library of the .cpp files in the calling folder.
function(cafmq_add_layer name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(${name} OBJECT ${sources})
  cafmq_library_flags(${name})
endfunction()
