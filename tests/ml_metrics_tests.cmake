# Splits and metrics. The oracle test runs Debian's scikit-learn (/usr/bin/python3) on the same
# inputs; it finds tests/oracle/ and data/ through CAIRN_SOURCE_DIR.
cairn_test(ml_metrics_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/ml/metrics_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/metrics_oracle_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/splits_test.cpp
       ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp
  DEPS cairn_ml nlohmann_json::nlohmann_json)
target_compile_definitions(ml_metrics_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
