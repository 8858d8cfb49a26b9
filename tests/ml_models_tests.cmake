# Model classes (XGBoost, linear) and their codecs. The oracle tests run Debian's python3-xgboost
# and scikit-learn (/usr/bin/python3); they find tests/oracle/ and data/ through CAIRN_SOURCE_DIR.
cairn_test(ml_models_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/ml/xgboost_model_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/xgboost_evaluation_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/linear_model_test.cpp
       ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp
  DEPS cairn_ml nlohmann_json::nlohmann_json)
target_compile_definitions(ml_models_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
