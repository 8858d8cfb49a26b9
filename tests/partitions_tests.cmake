cairn_test(partitions_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/partitions/time_window_test.cpp
       ${PROJECT_SOURCE_DIR}/src/partitions/partitions_definition_test.cpp
       ${PROJECT_SOURCE_DIR}/src/partitions/partition_mapping_test.cpp
  DEPS cairn_partitions)
cairn_test(partition_space_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/plan/partition_space_test.cpp
  DEPS cairn_plan)
