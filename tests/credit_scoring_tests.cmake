# The credit-scoring example (examples/credit_scoring): its shared code, and the pipeline driven
# through its binary on lending_club, compared with python3-xgboost (tests/oracle).
if(CAIRN_BUILD_EXAMPLES)
  set(CREDIT_DIR ${PROJECT_SOURCE_DIR}/examples/credit_scoring)
  cairn_test(credit_scoring_unit_tests
    SRCS ${CREDIT_DIR}/psi_test.cpp ${CREDIT_DIR}/credit_features_test.cpp
    DEPS credit_scoring_lib)
  target_compile_definitions(credit_scoring_unit_tests
    PRIVATE CREDIT_DEFAULT_CSV="${PROJECT_SOURCE_DIR}/data/lending_club.csv")
  cairn_test(credit_scoring_tests
    SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/credit_scoring_test.cpp
    DEPS nlohmann_json::nlohmann_json)
  target_compile_definitions(credit_scoring_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(credit_scoring_tests credit_scoring)
endif()
