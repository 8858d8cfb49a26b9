# Versions, staleness and the automation conditions' evaluator (docs/staleness.md).
cairn_test(staleness_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/core/data_version_test.cpp
       ${PROJECT_SOURCE_DIR}/src/plan/staleness_test.cpp
  DEPS cairn_plan)
cairn_test(automation_evaluator_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/automation/automation_evaluator_test.cpp
       ${PROJECT_SOURCE_DIR}/src/automation/staleness_tracker_test.cpp
  DEPS cairn_automation nlohmann_json::nlohmann_json)
