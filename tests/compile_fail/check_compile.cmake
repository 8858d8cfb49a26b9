# Compiles one file with the project's flags and checks the outcome: EXPECT=fail requires a
# compile error whose text contains MESSAGE; EXPECT=pass requires success.
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror
                        -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "pass")
  if(rc)
    message(FATAL_ERROR "${SOURCE} should compile but did not:\n${out}")
  endif()
else()
  if(NOT rc)
    message(FATAL_ERROR "${SOURCE} compiled, but it must be rejected by the compiler")
  endif()
  string(FIND "${out}" "${MESSAGE}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${SOURCE} failed to compile, but not with '${MESSAGE}':\n${out}")
  endif()
endif()
