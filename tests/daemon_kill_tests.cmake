# The daemon killed with SIGKILL at varying moments and restarted, through a pipeline binary.
cairn_add_pipeline(daemon_pipeline ${CMAKE_CURRENT_SOURCE_DIR}/e2e/daemon_pipeline.cpp)
cairn_warnings(daemon_pipeline)
cairn_test(daemon_kill_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/daemon_kill_test.cpp
  DEPS nlohmann_json::nlohmann_json)
add_dependencies(daemon_kill_tests daemon_pipeline)
