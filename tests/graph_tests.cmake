cairn_test(graph_tests
  SRCS ${PROJECT_SOURCE_DIR}/src/graph/asset_graph_test.cpp
       ${PROJECT_SOURCE_DIR}/src/graph/selection_test.cpp
       ${PROJECT_SOURCE_DIR}/src/graph/graph_render_test.cpp
  DEPS cairn_graph nlohmann_json::nlohmann_json)
