# The automation daemon: cron, schedules, sensors, the daemon loop (docs/automation.md).
cairn_test(cron_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/automation/cron_test.cpp
  DEPS cairn_automation date::date-tz)
cairn_test(daemon_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/automation/daemon_test.cpp
  DEPS cairn_automation cairn_storage date::date-tz)
