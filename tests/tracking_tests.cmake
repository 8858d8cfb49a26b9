# Experiment tracking and the model registry: the TrackingStore contract on SQLite (with the
# upgrade of a version 1 database), the public API on real instance directories, ctx.tracking()
# through the engine, and the CLI through a small pipeline binary.
cairn_test(tracking_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/storage/sqlite_tracking_store_test.cpp
       ${PROJECT_SOURCE_DIR}/src/tracking/sha256_test.cpp
       ${PROJECT_SOURCE_DIR}/src/tracking/run_query_test.cpp
       ${PROJECT_SOURCE_DIR}/src/tracking/tracker_test.cpp
       ${PROJECT_SOURCE_DIR}/src/tracking/model_registry_test.cpp
       ${PROJECT_SOURCE_DIR}/src/exec/step_context_test.cpp
  DEPS cairn_exec cairn_tracking cairn_storage SQLite::SQLite3)

include(${PROJECT_SOURCE_DIR}/cmake/CairnPipeline.cmake)
cairn_add_pipeline(tracking_pipeline ${CMAKE_CURRENT_SOURCE_DIR}/e2e/tracking_pipeline.cpp)
cairn_warnings(tracking_pipeline)
cairn_test(tracking_e2e_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/tracking_cli_test.cpp
  DEPS nlohmann_json::nlohmann_json)
add_dependencies(tracking_e2e_tests tracking_pipeline)
