#include "graph/graph_render.hpp"
#include "compute_functions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "graph/selection.hpp"

namespace cairn {
namespace {

using testing::leaf;
using testing::pass;
using testing::sum;

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using Json = nlohmann::json;

struct TrainConfig {
  double learning_rate = 0.1;
  std::int64_t rounds = 200;
  std::vector<std::string> features{"age", "income"};
};

void describe_config(ConfigSchema<TrainConfig>& s) {
  s.field("learning_rate", &TrainConfig::learning_rate, "shrinkage per round");
  s.field("rounds", &TrainConfig::rounds);
  s.field("features", &TrainConfig::features);
}

/// Definitions holding just these assets.
Definitions definitions(std::vector<AssetRef> assets) {
  Definitions defs;
  defs.assets = std::move(assets);
  return defs;
}

/// a -> b -> d, a -> c -> d, and e runs after a.
AssetGraph diamond() {
  auto a = asset<int>("a").group("core").compute(leaf);
  auto b = asset<int>("b").group("core").compute(pass, a);
  auto c = asset<int>("c").group("side").compute(pass, a);
  auto d = asset<int>("d").group("core").compute(sum, b, c);
  auto e = asset<int>("e").group("side").after(a).compute(leaf);
  return AssetGraph::build(definitions({a, b, c, d, e}));
}

std::vector<NodeId> ids(const AssetGraph& g, std::initializer_list<std::string_view> keys) {
  std::vector<NodeId> out;
  for (auto key : keys) out.push_back(*g.find(key));
  return out;
}

TEST(RenderTree, WholeGraph) {
  AssetGraph g = diamond();
  EXPECT_EQ(render_tree(g, g.topological_order()),
            "a  [core]\n"
            "├── b  [core]\n"
            "│   └── d  [core]\n"
            "├── c  [side]\n"
            "│   └── d (see above)\n"
            "└── e (after)  [side]\n");
}

TEST(RenderTree, RootsAreTheAssetsWithoutUpstreamInTheSubset) {
  AssetGraph g = diamond();
  EXPECT_EQ(render_tree(g, ids(g, {"b", "c", "d"})),
            "b  [core]\n"
            "└── d  [core]\n"
            "c  [side]\n"
            "└── d (see above)\n");
}

TEST(RenderTree, LastChildrenLeaveNoRail) {
  auto x = asset<int>("x").compute(leaf);
  auto y = asset<int>("y").compute(pass, x);
  auto z = asset<int>("z").compute(pass, y);
  AssetGraph g = AssetGraph::build(definitions({x, y, z}));
  EXPECT_EQ(render_tree(g, g.topological_order()),
            "x  [default]\n"
            "└── y  [default]\n"
            "    └── z  [default]\n");
}

TEST(RenderTree, EmptySubset) {
  EXPECT_EQ(render_tree(diamond(), {}), "");
}

TEST(RenderDot, ClustersPerGroupAndDashedOrderingEdges) {
  AssetGraph g = diamond();
  EXPECT_EQ(render_dot(g, g.topological_order()),
            "digraph cairn {\n"
            "  rankdir=LR;\n"
            "  node [shape=box, style=rounded];\n"
            "  subgraph cluster_0 {\n"
            "    label=\"core\";\n"
            "    \"a\";\n"
            "    \"b\";\n"
            "    \"d\";\n"
            "  }\n"
            "  subgraph cluster_1 {\n"
            "    label=\"side\";\n"
            "    \"c\";\n"
            "    \"e\";\n"
            "  }\n"
            "  \"a\" -> \"b\";\n"
            "  \"a\" -> \"c\";\n"
            "  \"b\" -> \"d\";\n"
            "  \"c\" -> \"d\";\n"
            "  \"a\" -> \"e\" [style=dashed];\n"
            "}\n");
}

TEST(RenderDot, OnlyEdgesInsideTheSubset) {
  AssetGraph g = diamond();
  std::string dot = render_dot(g, ids(g, {"b", "d"}));
  EXPECT_THAT(dot, HasSubstr("  \"b\" -> \"d\";\n"));
  EXPECT_THAT(dot, ::testing::Not(HasSubstr("\"a\"")));
  EXPECT_THAT(dot, ::testing::Not(HasSubstr("\"c\"")));
}

TEST(RenderDot, EscapesQuotesAndBackslashes) {
  auto a = asset<int>("a").group("say \"hi\" \\ now").compute(leaf);
  AssetGraph g = AssetGraph::build(definitions({a}));
  EXPECT_THAT(render_dot(g, g.topological_order()),
              HasSubstr("    label=\"say \\\"hi\\\" \\\\ now\";\n"));
}

TEST(RenderJson, DescribesEveryField) {
  using namespace std::chrono_literals;
  auto raw = asset<int>("raw").compute(leaf);
  auto features = asset<int>("features").compute(pass, raw);
  auto model =
      asset<double>("model")
          .group("training")
          .describe("The model")
          .tag("team", "ml")
          .code_version("v3")
          .retry({.max_attempts = 4,
                  .delay = 2s,
                  .backoff = Backoff::kExponential,
                  .jitter = 0.25,
                  .max_delay = 1min})
          .timeout(30s)
          .require_resource("db")
          .io_manager("memory")
          .after(raw)
          .config<TrainConfig>()
          .compute([](Context&, const TrainConfig&, const int&, const int&) { return 1.0; },
                   features, raw);
  Job train;
  train.name = "train";
  train.selection = "*model";
  train.description = "Trains";
  train.tags = {{"owner", "ml"}};
  Definitions defs;
  defs.assets = {raw, features, model};
  defs.jobs = {train};
  defs.resources.emplace("db", Resource(std::make_shared<int>(0)));
  AssetGraph g = AssetGraph::build(defs);

  Json doc = Json::parse(render_json(g, ids(g, {"model"})));
  ASSERT_EQ(doc["assets"].size(), 1u);
  const Json& m = doc["assets"][0];
  EXPECT_EQ(m["key"], "model");
  EXPECT_EQ(m["group"], "training");
  EXPECT_EQ(m["description"], "The model");
  EXPECT_EQ(m["type"], "double");
  EXPECT_EQ(m["deps"], Json({"features", "raw"}));
  EXPECT_EQ(m["after"], Json({"raw"}));
  EXPECT_EQ(m["tags"], Json({{"team", "ml"}}));
  EXPECT_EQ(m["code_version"], "v3");
  EXPECT_EQ(m["io_manager"], "memory");
  EXPECT_EQ(m["resources"], Json({"db"}));
  EXPECT_EQ(m["retry"], Json({{"max_attempts", 4},
                              {"delay_ms", 2000},
                              {"max_delay_ms", 60000},
                              {"backoff", "exponential"},
                              {"jitter", 0.25}}));
  EXPECT_EQ(m["timeout_ms"], 30000);
  EXPECT_EQ(m["config"], Json::parse(R"([
      {"name": "learning_rate", "type": "float", "default": 0.1, "doc": "shrinkage per round"},
      {"name": "rounds", "type": "int", "default": 200, "doc": ""},
      {"name": "features", "type": "string[]", "default": ["age", "income"], "doc": ""}])"));
  EXPECT_THAT(m["source"].get<std::string>(),
              EndsWith("graph_render_test.cpp:" + std::to_string(model.definition().source_line)));

  ASSERT_EQ(doc["jobs"].size(), 1u);
  EXPECT_EQ(doc["jobs"][0], Json({{"name", "train"},
                                  {"selection", "*model"},
                                  {"description", "Trains"},
                                  {"tags", {{"owner", "ml"}}},
                                  {"assets", {"raw", "features", "model"}}}));
}

TEST(RenderJson, DefaultsAndSubsetOrder) {
  AssetGraph g = diamond();
  Json doc = Json::parse(render_json(g, ids(g, {"d", "a"})));
  ASSERT_EQ(doc["assets"].size(), 2u);
  EXPECT_EQ(doc["assets"][0]["key"], "d");
  const Json& a = doc["assets"][1];
  EXPECT_EQ(a["key"], "a");
  EXPECT_EQ(a["type"], "int");
  EXPECT_EQ(a["deps"], Json::array());
  EXPECT_EQ(a["after"], Json::array());
  EXPECT_EQ(a["tags"], Json::object());
  EXPECT_EQ(a["resources"], Json::array());
  EXPECT_EQ(a["io_manager"], "fs");
  EXPECT_EQ(a["config"], nullptr);
  EXPECT_EQ(a["timeout_ms"], 0);
  EXPECT_EQ(a["retry"]["max_attempts"], 1);
  EXPECT_EQ(a["retry"]["backoff"], "constant");
  EXPECT_EQ(doc["jobs"], Json::array());
}

TEST(RenderJson, OneLineWithFieldsInDocumentedOrder) {
  AssetGraph g = diamond();
  std::string text = render_json(g, ids(g, {"a"}));
  EXPECT_EQ(text.find('\n'), std::string::npos);
  auto doc = nlohmann::ordered_json::parse(text);
  std::vector<std::string> fields;
  for (const auto& item : doc["assets"][0].items()) fields.push_back(item.key());
  EXPECT_THAT(fields, ElementsAre("key", "group", "description", "type", "deps", "after", "tags",
                                  "code_version", "io_manager", "resources", "retry", "timeout_ms",
                                  "config", "source"));
}

TEST(RenderJson, EmptySubset) {
  EXPECT_EQ(Json::parse(render_json(diamond(), {})),
            Json({{"assets", Json::array()}, {"jobs", Json::array()}}));
}

}  // namespace
}  // namespace cairn
