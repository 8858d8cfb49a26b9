# Installs the build tree into a temporary prefix, builds tests/install/consumer against it with
# find_package(cairn), and runs the consumer's pipeline.
set(work "${CAIRN_BUILD_DIR}/install-check")
file(REMOVE_RECURSE "${work}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${CAIRN_BUILD_DIR}" --prefix "${work}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${CAIRN_SOURCE_DIR}/tests/install/consumer"
                        -B "${work}/build" -G Ninja "-DCMAKE_PREFIX_PATH=${work}/prefix"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "configuring the consumer failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${work}/build"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "building the consumer failed:\n${out}")
endif()
execute_process(COMMAND "${work}/build/bin/consumer" --home "${work}/home" materialize --select "*"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc OR NOT out MATCHES "SUCCESS")
  message(FATAL_ERROR "the installed consumer pipeline failed (${rc}):\n${out}")
endif()
message(STATUS "find_package(cairn) consumer built and ran:\n${out}")
file(REMOVE_RECURSE "${work}")
