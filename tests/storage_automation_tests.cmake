# The SQLite side of partitions, versions, checks and the daemon: migration 3, the new Storage
# methods (version columns, observation and check indexes, asset history, dynamic partitions) and
# the AutomationStore contract (ticks, run keys, leases, backfills, pools, the run queue), with two
# storage objects on one file standing for two processes.
cairn_test(storage_automation_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/storage/sqlite_asset_index_test.cpp
       ${PROJECT_SOURCE_DIR}/src/storage/sqlite_automation_store_test.cpp
  DEPS cairn_storage SQLite::SQLite3 nlohmann_json::nlohmann_json)
