# The shared model utilities (train_and_log_model, evaluate_and_save_model, backtest_model) on
# lending_club and Chicago, with a real tracker and registry in a scratch instance.
cairn_test(ml_workflow_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/ml/model_workflow_test.cpp
  DEPS cairn_ml cairn_tracking)
target_compile_definitions(ml_workflow_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

include(${PROJECT_SOURCE_DIR}/cmake/CairnPipeline.cmake)
# A real ML pipeline through its CLI: Table assets, a quality gate, XGBoost tracked per round,
# the registry and promotion.
cairn_add_pipeline(ml_pipeline ${CMAKE_CURRENT_SOURCE_DIR}/e2e/ml_pipeline.cpp)
target_link_libraries(ml_pipeline PRIVATE cairn_ml)
cairn_warnings(ml_pipeline)
cairn_test(ml_pipeline_tests
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/ml_pipeline_test.cpp
  DEPS nlohmann_json::nlohmann_json)
target_compile_definitions(ml_pipeline_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(ml_pipeline_tests ml_pipeline)
