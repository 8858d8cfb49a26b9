cairn_test(exec_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/exec/run_engine_test.cpp
       ${PROJECT_SOURCE_DIR}/src/plan/run_plan_test.cpp
       ${PROJECT_SOURCE_DIR}/src/core/run_config_test.cpp
       ${PROJECT_SOURCE_DIR}/src/io/io_manager_test.cpp
  DEPS cairn_exec cairn_storage nlohmann_json::nlohmann_json)
