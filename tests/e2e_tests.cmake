# End-to-end tests drive the example pipeline binary as a user would.
cairn_test(e2e_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/cli_e2e_test.cpp
  DEPS nlohmann_json::nlohmann_json)
if(CAIRN_BUILD_EXAMPLES)
  add_dependencies(e2e_tests hello)
endif()
