cairn_test(ml_table_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/ml/table_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/column_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/timestamp_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/csv_reader_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/csv_writer_test.cpp
       ${PROJECT_SOURCE_DIR}/src/ml/table_codec_test.cpp
  DEPS cairn_ml)
target_compile_definitions(ml_table_tests PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
