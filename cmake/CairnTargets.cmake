# cairn_library(NAME SRCS ... DEPS ... PRIVATE_DEPS ...)
# One static library per subsystem; the graph of these targets is the architecture (DESIGN.md §2).
function(cairn_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  add_library(cairn::${name} ALIAS ${name})
  target_include_directories(${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  cairn_warnings(${name})
  set_property(GLOBAL APPEND PROPERTY CAIRN_LIBRARIES ${name})
endfunction()

function(cairn_warnings target)
  # -Wrestrict: GCC 12 at -O2/-O3 reports std::string concatenations as overlapping memcpy
  # (GCC bug 105329, a false positive inside libstdc++); it would fail every Release build.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endfunction()

# cairn_test(NAME SRCS ... DEPS ...): a GoogleTest executable registered with ctest.
function(cairn_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  cairn_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES ENVIRONMENT "CAIRN_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()
