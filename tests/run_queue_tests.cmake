# The run queue, pools, heartbeats, run monitoring and backfills (docs/run-queue.md,
# docs/backfills.md).
cairn_test(run_queue_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/automation/run_queue_test.cpp
       ${PROJECT_SOURCE_DIR}/src/automation/pool_gate_test.cpp
       ${PROJECT_SOURCE_DIR}/src/automation/backfill_test.cpp
       ${PROJECT_SOURCE_DIR}/src/exec/run_heartbeat_test.cpp
  DEPS cairn_automation)
cairn_test(backfill_cli_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/backfill_cli_test.cpp
  DEPS cairn_cli nlohmann_json::nlohmann_json)

# Real processes: the queue launches this pipeline binary with `runs execute RUN_ID`.
add_executable(run_queue_pipeline ${CMAKE_CURRENT_SOURCE_DIR}/run_queue_pipeline.cpp)
target_link_libraries(run_queue_pipeline PRIVATE cairn)
cairn_warnings(run_queue_pipeline)
cairn_test(run_queue_process_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/run_queue_process_test.cpp
  DEPS cairn_automation)
add_dependencies(run_queue_process_tests run_queue_pipeline)
