cairn_test(storage_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/storage/sqlite_storage_test.cpp
       ${PROJECT_SOURCE_DIR}/src/storage/batched_event_writer_test.cpp
       ${PROJECT_SOURCE_DIR}/src/storage/instance_test.cpp
  DEPS cairn_storage SQLite::SQLite3 nlohmann_json::nlohmann_json)
