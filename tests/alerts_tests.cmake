# Alerts: run-status sensors delivering to files, commands and webhooks (docs/automation.md).
# The test runs a real httplib::Server, so it compiles with the flags of Debian's build.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED cpp-httplib)
cairn_test(alerts_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/automation/alerts_test.cpp
  DEPS cairn_automation cairn_storage date::date-tz nlohmann_json::nlohmann_json
       ${HTTPLIB_LINK_LIBRARIES})
target_compile_options(alerts_tests PRIVATE ${HTTPLIB_CFLAGS})
