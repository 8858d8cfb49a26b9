# The shared model utilities (train_and_log_model, evaluate_and_save_model, backtest_model) on
# lending_club and Chicago, with a real tracker and registry in a scratch instance.
cairn_test(ml_workflow_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/ml/model_workflow_test.cpp
  DEPS cairn_ml cairn_tracking)
target_compile_definitions(ml_workflow_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
