# Partitions, mappings, checks and staleness through a pipeline binary.
cairn_add_pipeline(partitioned_pipeline ${CMAKE_CURRENT_SOURCE_DIR}/e2e/partitioned_pipeline.cpp)
cairn_warnings(partitioned_pipeline)
cairn_test(partitioned_run_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/partitioned_run_test.cpp
  DEPS nlohmann_json::nlohmann_json)
add_dependencies(partitioned_run_tests partitioned_pipeline)
