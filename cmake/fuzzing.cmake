# CAFMQ_FUZZ: libFuzzer needs clang. Every target below this point (the pure layers and fuzz/)
# gets coverage instrumentation for the fuzzer plus ASan and UBSan, with no recovery, so a
# sanitizer report is a crash the fuzzer keeps. fuzz/CMakeLists.txt links the engine itself.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "CAFMQ_FUZZ needs clang (libFuzzer): configure with "
                      "-DCMAKE_CXX_COMPILER=clang++ (scripts/fuzz.sh does)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
