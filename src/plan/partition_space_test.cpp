#include "plan/partition_space.hpp"
#include "compute_functions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <date/date.h>

namespace cairn {
namespace {

using std::chrono::sys_seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::leaf;
using ::testing::Optional;
using testing::pass;
using testing::sum;

sys_seconds utc(int y, unsigned m, unsigned d) {
  return date::sys_days(date::year(y) / date::month(m) / date::day(d));
}

int count_parts(Context&, const Partitioned<int>& parts) {
  return static_cast<int>(parts.size());
}

Definitions definitions(std::vector<AssetRef> assets) {
  Definitions defs;
  defs.assets = std::move(assets);
  return defs;
}

// Step keys of `steps`, for readable expectations.
std::vector<std::string> step_keys(const PartitionSpace& space, const std::vector<StepRef>& steps) {
  std::vector<std::string> keys;
  for (const StepRef& step : steps) keys.push_back(space.step_key(step));
  return keys;
}

StepRef step(const PartitionSpace& space, std::string_view asset, std::string_view key = "") {
  const NodeId node = *space.graph().find(asset);
  auto index = space.find(node, key);
  EXPECT_TRUE(index.has_value()) << asset << "[" << key << "]";
  return {node, index.value_or(0)};
}

// A credit pipeline with every kind of mapping: raw daily from 2025-01-01; drift from the 2nd
// reading today's and yesterday's raw; a model on all raw days; a reference on one raw day;
// region sites mapped to regions; per-model evaluations.
class PartitionSpaceTest : public ::testing::Test {
 protected:
  PartitionSpaceTest() {
    auto config = asset<int>("config").compute(leaf);
    auto raw = asset<int>("credit/raw").partitioned(daily("2025-01-01")).compute(pass, config);
    auto drift = asset<int>("credit/drift")
                     .partitioned(daily("2025-01-02"))
                     .compute(sum, raw, raw.offset(-1));
    auto model = asset<int>("credit/model").compute(count_parts, raw.all_partitions());
    auto reference = asset<int>("credit/reference").compute(pass, raw.partition("2025-01-01"));
    auto regions = asset<int>("regions").partitioned(static_partitions({"eu", "us"})).compute(leaf);
    auto sites =
        asset<int>("sites")
            .partitioned(static_partitions({"paris", "berlin", "nyc"}))
            .compute(pass, regions.mapped({{"paris", "eu"}, {"berlin", "eu"}, {"nyc", "us"}}));
    auto evals = asset<int>("evals").partitioned(dynamic_partitions("models")).compute(leaf);
    auto metrics =
        asset<int>("metrics").partitioned(dynamic_partitions("models")).compute(pass, evals);
    auto audit = asset<int>("audit").partitioned(daily("2025-01-01")).after(raw).compute(leaf);
    graph_ = std::make_unique<AssetGraph>(AssetGraph::build(definitions(
        {config, raw, drift, model, reference, regions, sites, evals, metrics, audit})));
    space_ = std::make_unique<PartitionSpace>(PartitionSpace::build(
        *graph_, utc(2025, 1, 5), {{"models", {"xgb", "logreg"}}, {"unused", {"a"}}}));
  }

  std::vector<std::string> dependency(std::string_view asset, std::string_view key,
                                      std::size_t typed_index) {
    return step_keys(*space_, space_->dependency_steps(step(*space_, asset, key), typed_index));
  }
  std::vector<std::string> upstream(std::string_view asset, std::string_view key = "") {
    return step_keys(*space_, space_->upstream_steps(step(*space_, asset, key)));
  }
  std::vector<std::string> downstream(std::string_view asset, std::string_view key = "") {
    return step_keys(*space_, space_->downstream_steps(step(*space_, asset, key)));
  }

  std::unique_ptr<AssetGraph> graph_;
  std::unique_ptr<PartitionSpace> space_;
};

TEST_F(PartitionSpaceTest, KeysPerAssetAtNow) {
  const NodeId raw = *graph_->find("credit/raw");
  EXPECT_TRUE(space_->is_partitioned(raw));
  EXPECT_THAT(space_->keys(raw),
              ElementsAre("2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"));
  EXPECT_EQ(space_->step_count(*graph_->find("credit/drift")), 3u);
  EXPECT_EQ(space_->step_count(*graph_->find("config")), 1u);
  EXPECT_FALSE(space_->is_partitioned(*graph_->find("config")));
  EXPECT_THAT(space_->keys(*graph_->find("config")), IsEmpty());
  EXPECT_THAT(space_->keys(*graph_->find("evals")), ElementsAre("xgb", "logreg"));
  EXPECT_EQ(space_->find(raw, "2025-01-03"), PartitionIndex{2});
  EXPECT_EQ(space_->find(raw, "2025-01-05"), std::nullopt);  // not ended at now
  EXPECT_EQ(space_->find(raw, "junk"), std::nullopt);
  EXPECT_EQ(space_->find(raw, ""), std::nullopt);
  EXPECT_EQ(space_->find(*graph_->find("config"), ""), kUnpartitioned);
  EXPECT_EQ(space_->find(*graph_->find("evals"), "rf"), std::nullopt);
  EXPECT_EQ(space_->find(*graph_->find("sites"), "nyc"), PartitionIndex{2});
}

TEST_F(PartitionSpaceTest, KeysUnchangedUntilAWindowEndsOrADynamicSetChanges) {
  const std::map<std::string, std::vector<std::string>> models{{"models", {"xgb", "logreg"}}};
  EXPECT_TRUE(space_->keys_unchanged(utc(2025, 1, 5), models));
  EXPECT_TRUE(space_->keys_unchanged(utc(2025, 1, 5) + std::chrono::hours(23), models))
      << "the window of 2025-01-05 has not ended";
  EXPECT_FALSE(space_->keys_unchanged(utc(2025, 1, 6), models));
  EXPECT_FALSE(space_->keys_unchanged(utc(2025, 1, 5), {{"models", {"xgb", "logreg", "rf"}}}));
  EXPECT_FALSE(space_->keys_unchanged(utc(2025, 1, 5), {{"models", {"logreg", "xgb"}}}));
  EXPECT_FALSE(space_->keys_unchanged(utc(2025, 1, 5), {}));
  EXPECT_TRUE(space_->keys_unchanged(utc(2025, 1, 5),
                                     {{"models", {"xgb", "logreg"}}, {"unused", {"b", "c"}}}))
      << "no asset is on the set 'unused'";
}

TEST_F(PartitionSpaceTest, StepKeysSplitBack) {
  const StepRef s = step(*space_, "credit/raw", "2025-01-02");
  EXPECT_EQ(space_->step_key(s), "credit/raw[2025-01-02]");
  EXPECT_EQ(space_->key(s), "2025-01-02");
  EXPECT_EQ(space_->step_key(step(*space_, "config")), "config");
  EXPECT_EQ(split_step_key("credit/raw[2025-01-02]"),
            (std::pair<std::string_view, std::string_view>{"credit/raw", "2025-01-02"}));
  EXPECT_EQ(split_step_key("config"),
            (std::pair<std::string_view, std::string_view>{"config", ""}));
  EXPECT_EQ(split_step_key("h[2025-10-26-01:00-2nd]").second, "2025-10-26-01:00-2nd");
}

TEST_F(PartitionSpaceTest, DefaultIdentityAndOffsetAcrossDifferentStarts) {
  EXPECT_THAT(dependency("credit/drift", "2025-01-02", 0), ElementsAre("credit/raw[2025-01-02]"));
  EXPECT_THAT(dependency("credit/drift", "2025-01-02", 1), ElementsAre("credit/raw[2025-01-01]"));
  EXPECT_THAT(upstream("credit/drift", "2025-01-04"),
              ElementsAre("credit/raw[2025-01-03]", "credit/raw[2025-01-04]"));
  EXPECT_THAT(dependency("credit/raw", "2025-01-03", 0), ElementsAre("config"));
}

TEST_F(PartitionSpaceTest, FanInSingleStaticAndDynamicMappings) {
  EXPECT_THAT(dependency("credit/model", "", 0),
              ElementsAre("credit/raw[2025-01-01]", "credit/raw[2025-01-02]",
                          "credit/raw[2025-01-03]", "credit/raw[2025-01-04]"));
  EXPECT_THAT(dependency("credit/reference", "", 0), ElementsAre("credit/raw[2025-01-01]"));
  EXPECT_THAT(dependency("sites", "berlin", 0), ElementsAre("regions[eu]"));
  EXPECT_THAT(dependency("sites", "nyc", 0), ElementsAre("regions[us]"));
  EXPECT_THAT(dependency("metrics", "logreg", 0), ElementsAre("evals[logreg]"));
  EXPECT_THAT(upstream("audit", "2025-01-02"), ElementsAre("credit/raw[2025-01-02]"));
}

TEST_F(PartitionSpaceTest, DownstreamStepsInvertEveryMapping) {
  EXPECT_THAT(downstream("credit/raw", "2025-01-01"),
              ElementsAre("credit/drift[2025-01-02]", "credit/model", "credit/reference",
                          "audit[2025-01-01]"));
  EXPECT_THAT(downstream("credit/raw", "2025-01-03"),
              ElementsAre("credit/drift[2025-01-03]", "credit/drift[2025-01-04]", "credit/model",
                          "audit[2025-01-03]"));
  // Drift's window of the 5th has not ended, so the 4th feeds only drift[2025-01-04].
  EXPECT_THAT(downstream("credit/raw", "2025-01-04"),
              ElementsAre("credit/drift[2025-01-04]", "credit/model", "audit[2025-01-04]"));
  EXPECT_THAT(downstream("config"),
              ElementsAre("credit/raw[2025-01-01]", "credit/raw[2025-01-02]",
                          "credit/raw[2025-01-03]", "credit/raw[2025-01-04]"));
  EXPECT_THAT(downstream("regions", "eu"), ElementsAre("sites[paris]", "sites[berlin]"));
  EXPECT_THAT(downstream("evals", "xgb"), ElementsAre("metrics[xgb]"));
  EXPECT_THAT(downstream("credit/model"), IsEmpty());

  // upstream_steps and downstream_steps are inverse relations over the whole space.
  for (NodeId node = 0; node < graph_->size(); ++node) {
    for (std::size_t p = 0; p < space_->step_count(node); ++p) {
      const StepRef s{node, static_cast<PartitionIndex>(p)};
      for (const StepRef& up : space_->upstream_steps(s)) {
        auto down = space_->downstream_steps(up);
        EXPECT_NE(std::find(down.begin(), down.end(), s), down.end())
            << space_->step_key(up) << " -> " << space_->step_key(s);
      }
    }
  }
}

TEST_F(PartitionSpaceTest, NothingMissingWhenEveryDependencyMaps) {
  for (NodeId node = 0; node < graph_->size(); ++node) {
    for (std::size_t p = 0; p < space_->step_count(node); ++p) {
      EXPECT_EQ(space_->missing_upstream({node, static_cast<PartitionIndex>(p)}), std::nullopt);
    }
  }
}

TEST(PartitionSpace, MissingUpstreamNamesThePartitionAndWhy) {
  auto raw = asset<int>("credit/raw").partitioned(daily("2025-01-01")).compute(leaf);
  auto lag =
      asset<int>("credit/lag").partitioned(daily("2025-01-01")).compute(pass, raw.offset(-1));
  auto lead =
      asset<int>("credit/lead").partitioned(daily("2025-01-01")).compute(pass, raw.offset(1));
  auto models = asset<int>("models").partitioned(dynamic_partitions("models")).compute(leaf);
  auto best = asset<int>("best").compute(pass, models.partition("xgb"));
  auto regions = asset<int>("regions").partitioned(dynamic_partitions("regions")).compute(leaf);
  auto sites = asset<int>("sites")
                   .partitioned(static_partitions({"paris", "nyc"}))
                   .compute(pass, regions.mapped({{"paris", "eu"}, {"nyc", "us"}}));
  AssetGraph graph = AssetGraph::build(definitions({raw, lag, lead, models, best, regions, sites}));
  PartitionSpace space =
      PartitionSpace::build(graph, utc(2025, 1, 4), {{"models", {}}, {"regions", {"eu"}}});

  EXPECT_THAT(
      space.missing_upstream(step(space, "credit/lag", "2025-01-01")),
      Optional(std::string("needs partition 2024-12-31 of credit/raw, before its first partition "
                           "2025-01-01")));
  EXPECT_THAT(space.dependency_steps(step(space, "credit/lag", "2025-01-01"), 0), IsEmpty());
  EXPECT_EQ(space.missing_upstream(step(space, "credit/lag", "2025-01-02")), std::nullopt);
  EXPECT_THAT(space.missing_upstream(step(space, "credit/lead", "2025-01-03")),
              Optional(std::string("needs partition 2025-01-04 of credit/raw, whose window has "
                                   "not ended yet (it ends 2025-01-05 00:00 UTC)")));
  EXPECT_THAT(space.missing_upstream(step(space, "best")),
              Optional(std::string("needs partition xgb of models, which is not (yet) in its "
                                   "dynamic partition set 'models'")));
  EXPECT_EQ(space.missing_upstream(step(space, "sites", "paris")), std::nullopt);
  EXPECT_THAT(space.missing_upstream(step(space, "sites", "nyc")),
              Optional(std::string("needs partition us of regions, which is not (yet) in its "
                                   "dynamic partition set 'regions'")));
}

TEST(PartitionSpace, HundredAssetsTimesAThousandDailyPartitions) {
  std::vector<AssetRef> assets;
  auto first = asset<int>("a0").partitioned(daily("2022-01-01")).compute(leaf);
  assets.push_back(first);
  Asset<int> previous = first;
  for (int i = 1; i < 100; ++i) {
    auto next = i % 2 == 0 ? asset<int>("a" + std::to_string(i))
                                 .partitioned(daily("2022-01-01"))
                                 .compute(pass, previous)
                           : asset<int>("a" + std::to_string(i))
                                 .partitioned(daily("2022-01-01"))
                                 .compute(sum, previous, previous.offset(-1));
    assets.push_back(next);
    previous = next;
  }
  AssetGraph graph = AssetGraph::build(definitions(assets));
  PartitionSpace space = PartitionSpace::build(graph, utc(2024, 9, 27), {});
  std::size_t edges = 0;
  for (NodeId node = 0; node < graph.size(); ++node) {
    ASSERT_EQ(space.step_count(node), 1000u);
    for (PartitionIndex p = 0; p < 1000; ++p) edges += space.downstream_steps({node, p}).size();
  }
  // 99 edges of which 50 offset ones: 99 * 1000 identity reads and 50 * 999 offset reads.
  EXPECT_EQ(edges, 99u * 1000u + 50u * 999u);
}

}  // namespace
}  // namespace cairn
