# examples/demand_forecast: unit tests of its architectures, features, metrics and SVG writer,
# and the pipeline end to end through its binary. Both need the example's targets, which exist
# only when the examples are built.
if(CAIRN_BUILD_EXAMPLES)
  set(_forecast ${PROJECT_SOURCE_DIR}/examples/demand_forecast)
  cairn_test(demand_forecast_unit_tests
    SRCS ${_forecast}/features_test.cpp ${_forecast}/forecasters_test.cpp
         ${_forecast}/forecast_metrics_test.cpp ${_forecast}/svg_chart_test.cpp
    DEPS demand_forecast_lib)

  cairn_test(demand_forecast_e2e_tests
    SRCS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/process.cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/demand_forecast_test.cpp
    DEPS nlohmann_json::nlohmann_json)
  target_compile_definitions(demand_forecast_e2e_tests
    PRIVATE CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(demand_forecast_e2e_tests demand_forecast)
endif()
