# Table operations, categorical encoding and data validation (src/ml).
cairn_test(ml_ops_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/ml/table_filter_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_derive_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_sort_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_join_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_group_by_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_describe_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_matrix_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/encoding_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/validation_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/validation_lending_club_test.cpp
  DEPS cairn_ml nlohmann_json::nlohmann_json)
target_compile_definitions(ml_ops_tests PRIVATE CAIRN_DATA_DIR="${PROJECT_SOURCE_DIR}/data")
