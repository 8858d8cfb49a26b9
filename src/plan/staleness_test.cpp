#include "plan/staleness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "staleness_fixture.hpp"

namespace cairn {
namespace {

using testing::AssetSpec;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Pipeline;
using testing::utc;

// raw -> clean -> features
std::vector<AssetSpec> chain() {
  return {{.key = "credit/raw", .code_version = "1"},
          {.key = "credit/clean", .deps = {{"credit/raw"}}, .code_version = "1"},
          {.key = "credit/features", .deps = {{"credit/clean"}}, .code_version = "1"}};
}

void materialize_all(Pipeline& p) {
  for (NodeId node : p.graph().topological_order()) {
    for (const std::string& key : p.space().keys(node)) p.materialize(p.graph().key(node), key);
    if (!p.space().is_partitioned(node)) p.materialize(p.graph().key(node));
  }
}

TEST(Staleness, NothingMaterializedIsMissing) {
  Pipeline p(chain());
  auto index = p.build();
  EXPECT_EQ(index.freshness(p.step("credit/raw")), Freshness::kMissing);
  EXPECT_EQ(index.freshness(p.step("credit/features")), Freshness::kMissing);
  EXPECT_THAT(index.reasons(p.step("credit/clean")), ElementsAre("never materialized"));
  EXPECT_EQ(index.counts().missing, 3u);
  EXPECT_EQ(index.materialization(p.step("credit/raw")), nullptr);
}

TEST(Staleness, EverythingMaterializedInOrderIsFresh) {
  Pipeline p(chain());
  materialize_all(p);
  auto index = p.build();
  for (const char* key : {"credit/raw", "credit/clean", "credit/features"}) {
    EXPECT_EQ(index.freshness(p.step(key)), Freshness::kFresh) << key;
    EXPECT_THAT(index.reasons(p.step(key)), IsEmpty());
  }
  EXPECT_EQ(index.counts().fresh, 3u);
  EXPECT_EQ(index.max_event_id(), 3);
}

TEST(Staleness, CodeVersionChanged) {
  Pipeline p(chain());
  p.materialize("credit/raw", "", std::nullopt, "3");
  auto current = CurrentVersions::of(p.graph());
  current.code_versions[p.step("credit/raw").node] = "4";
  auto index = p.build(current);
  EXPECT_EQ(index.freshness(p.step("credit/raw")), Freshness::kStale);
  EXPECT_EQ(index.causes(p.step("credit/raw")), stale_cause::kCodeVersion);
  EXPECT_THAT(index.reasons(p.step("credit/raw")), ElementsAre("code version changed 3 → 4"));

  p.materialize("credit/clean", "", std::nullopt, "");
  EXPECT_THAT(p.build().reasons(p.step("credit/clean")),
              ElementsAre("code version changed (none) → 1", "upstream credit/raw is stale"));
}

TEST(Staleness, ConfigChangedOnlyWhenTheCurrentHashIsKnown) {
  Pipeline p(chain());
  p.set_config_hash(config_hash(R"({"rate":1})"));
  p.materialize("credit/raw");
  auto current = CurrentVersions::of(p.graph());
  EXPECT_EQ(p.build(current).freshness(p.step("credit/raw")), Freshness::kFresh);

  current.config_hashes.assign(p.graph().size(), std::nullopt);
  current.config_hashes[p.step("credit/raw").node] = config_hash(R"({"rate":2})");
  auto index = p.build(current);
  EXPECT_THAT(index.reasons(p.step("credit/raw")), ElementsAre("config changed"));
  current.config_hashes[p.step("credit/raw").node] = config_hash(R"({"rate":1})");
  EXPECT_EQ(p.build(current).freshness(p.step("credit/raw")), Freshness::kFresh);
}

TEST(Staleness, UpstreamWithNewerDataAndPropagation) {
  Pipeline p(chain());
  materialize_all(p);
  p.materialize("credit/raw", "", "new content");
  auto index = p.build();
  EXPECT_EQ(index.freshness(p.step("credit/raw")), Freshness::kFresh);
  EXPECT_THAT(index.reasons(p.step("credit/clean")),
              ElementsAre("upstream credit/raw has newer data"));
  EXPECT_EQ(index.causes(p.step("credit/clean")), stale_cause::kUpstreamData);
  EXPECT_THAT(index.reasons(p.step("credit/features")),
              ElementsAre("upstream credit/clean is stale"));
  EXPECT_EQ(index.causes(p.step("credit/features")), stale_cause::kUpstreamStale);
  EXPECT_EQ(index.counts().stale, 2u);

  // Re-running the stale part with derived versions makes it fresh again.
  p.materialize("credit/clean");
  p.materialize("credit/features");
  index = p.build();
  EXPECT_EQ(index.counts().fresh, 3u);
}

TEST(Staleness, MissingUpstreamPropagates) {
  Pipeline p(chain());
  p.materialize("credit/clean");
  auto index = p.build();
  EXPECT_THAT(index.reasons(p.step("credit/clean")), ElementsAre("upstream credit/raw is missing"));
  EXPECT_EQ(index.freshness(p.step("credit/features")), Freshness::kMissing);
}

// A user-supplied content hash: recomputing the upstream produced the same data, so nothing
// downstream needs to run again — cold and incrementally.
TEST(Staleness, SameDataVersionKeepsDownstreamFresh) {
  Pipeline p(chain());
  p.materialize("credit/raw", "", "content-1");
  p.materialize("credit/clean");
  p.materialize("credit/features");
  auto index = p.build();
  auto again = p.materialize("credit/raw", "", "content-1");
  EXPECT_TRUE(index.apply(again));
  EXPECT_EQ(index.counts().fresh, 3u);
  EXPECT_EQ(p.build().counts().fresh, 3u);

  auto changed = p.materialize("credit/raw", "", "content-2");
  EXPECT_TRUE(index.apply(changed));
  EXPECT_EQ(index.counts().stale, 2u);
}

TEST(Staleness, ObservedSourceChanged) {
  Pipeline p(chain());
  p.observe("credit/raw", "", "ab12cd34ef56ab12cd34");
  materialize_all(p);
  auto index = p.build();
  EXPECT_EQ(index.counts().fresh, 3u);

  auto observation = p.observe("credit/raw", "", "cd34ab12ef56cd34ab12");
  EXPECT_TRUE(index.apply(observation));
  EXPECT_THAT(index.reasons(p.step("credit/raw")),
              ElementsAre("source changed: observed version ab12cd34… → cd34ab12…"));
  EXPECT_EQ(index.causes(p.step("credit/raw")), stale_cause::kSource);
  EXPECT_THAT(index.reasons(p.step("credit/clean")), ElementsAre("upstream credit/raw is stale"));

  // Observing the same version again changes nothing; short versions are shown whole.
  Pipeline q(chain());
  q.materialize("credit/raw");
  q.observe("credit/raw", "", "v2");
  EXPECT_THAT(q.build().reasons(q.step("credit/raw")),
              ElementsAre("source changed: observed version (none) → v2"));
  q.materialize("credit/raw");
  EXPECT_EQ(q.build().freshness(q.step("credit/raw")), Freshness::kFresh);
}

// raw is daily; the model reads every day of it (fan-in).
std::vector<AssetSpec> fan_in() {
  return {{.key = "credit/raw", .partitions = daily("2025-01-01")},
          {.key = "credit/model", .deps = {testing::all_of("credit/raw")}}};
}

TEST(Staleness, NewUpstreamPartitionChangesTheInputs) {
  Pipeline p(fan_in(), utc(2025, 1, 3));
  materialize_all(p);
  EXPECT_EQ(p.build().counts().fresh, 3u);

  p.set_now(utc(2025, 1, 4));
  auto index = p.build();
  EXPECT_THAT(index.reasons(p.step("credit/model")),
              ElementsAre("inputs changed: 1 new partition of credit/raw",
                          "upstream credit/raw[2025-01-03] is missing"));
  p.materialize("credit/raw", "2025-01-03");
  index = p.build();
  EXPECT_THAT(index.reasons(p.step("credit/model")),
              ElementsAre("inputs changed: 1 new partition of credit/raw"));
  EXPECT_EQ(index.causes(p.step("credit/model")), stale_cause::kInputs);

  p.set_now(utc(2025, 1, 6));
  EXPECT_THAT(p.build().reasons(p.step("credit/model")),
              ElementsAre("inputs changed: 3 new partitions of credit/raw",
                          "upstream credit/raw is missing 2 partitions (2025-01-04, 2025-01-05)"));
}

TEST(Staleness, InputThatNoLongerExistsChangesTheInputs) {
  Pipeline p(chain());
  materialize_all(p);
  AssetVersionRecord record = p.materialize("credit/clean");
  record.inputs.push_back({"credit/old", "2024-12-31", "v"});
  record.inputs.push_back({"credit/gone", "", "v"});
  record.event_id = p.last_event_id() + 1;
  auto index = p.build();
  EXPECT_TRUE(index.apply(record));
  EXPECT_THAT(index.reasons(p.step("credit/clean")),
              ElementsAre("inputs changed: credit/old[2024-12-31] no longer exists",
                          "inputs changed: credit/gone no longer exists"));
}

TEST(Staleness, InputNoLongerRead) {
  Pipeline p(chain());
  materialize_all(p);
  AssetVersionRecord record = p.materialize("credit/features");
  record.inputs.push_back({"credit/raw", "", p.current_version("credit/raw", "")});
  record.event_id = p.last_event_id() + 1;
  auto index = p.build();
  index.apply(record);
  EXPECT_THAT(index.reasons(p.step("credit/features")),
              ElementsAre("inputs changed: no longer reads credit/raw"));
}

// Three daily assets: features reads raw day by day; drift reads today's and yesterday's
// features (offset -1); the model reads all features.
std::vector<AssetSpec> daily_pipeline() {
  return {{.key = "raw", .partitions = daily("2025-01-01")},
          {.key = "features", .deps = {{"raw"}}, .partitions = daily("2025-01-01")},
          {.key = "drift",
           .deps = {{"features"}, testing::offset("features", -1)},
           .partitions = daily("2025-01-02")},
          {.key = "model", .deps = {testing::all_of("features")}}};
}

TEST(Staleness, PartitionedIdentityOffsetAndFanIn) {
  Pipeline p(daily_pipeline(), utc(2025, 1, 5));  // days 1..4
  materialize_all(p);
  auto index = p.build();
  EXPECT_EQ(index.counts().fresh, 4u + 4u + 3u + 1u);
  EXPECT_EQ(index.counts(p.step("drift").node).fresh, 3u);

  EXPECT_TRUE(index.apply(p.materialize("raw", "2025-01-02", "late data")));
  EXPECT_THAT(index.reasons(p.step("features", "2025-01-02")),
              ElementsAre("upstream raw[2025-01-02] has newer data"));
  EXPECT_EQ(index.freshness(p.step("features", "2025-01-01")), Freshness::kFresh);
  EXPECT_EQ(index.freshness(p.step("features", "2025-01-03")), Freshness::kFresh);
  // drift[2] reads features[2] (today), drift[3] reads it as yesterday; drift[4] does not.
  EXPECT_THAT(index.reasons(p.step("drift", "2025-01-02")),
              ElementsAre("upstream features[2025-01-02] is stale"));
  EXPECT_THAT(index.reasons(p.step("drift", "2025-01-03")),
              ElementsAre("upstream features[2025-01-02] is stale"));
  EXPECT_EQ(index.freshness(p.step("drift", "2025-01-04")), Freshness::kFresh);
  EXPECT_THAT(index.reasons(p.step("model")),
              ElementsAre("upstream features[2025-01-02] is stale"));
  EXPECT_EQ(index.counts().stale, 4u);

  EXPECT_TRUE(index.apply(p.materialize("features", "2025-01-02")));
  EXPECT_THAT(index.reasons(p.step("drift", "2025-01-03")),
              ElementsAre("upstream features[2025-01-02] has newer data"));
  EXPECT_THAT(index.reasons(p.step("model")),
              ElementsAre("upstream features[2025-01-02] has newer data"));

  // Several partitions of one upstream are summarized in one sentence.
  for (const char* day : {"2025-01-01", "2025-01-03", "2025-01-04"}) {
    index.apply(p.materialize("raw", day, std::string("late ") + day));
  }
  EXPECT_THAT(index.reasons(p.step("model")),
              ElementsAre("upstream features[2025-01-02] has newer data",
                          "upstream features is stale in 3 partitions (2025-01-01, 2025-01-03, "
                          "2025-01-04)"));
  EXPECT_THAT(index.reasons(p.step("model"), stale_cause::kNewData),
              ElementsAre("upstream features[2025-01-02] has newer data"));
}

TEST(Staleness, NotFreshSelectsWhatStaleOnlyRuns) {
  Pipeline p(chain());
  materialize_all(p);
  p.materialize("credit/raw", "", "changed");
  auto index = p.build();
  std::vector<StepRef> selected{p.step("credit/raw"), p.step("credit/clean"),
                                p.step("credit/features")};
  EXPECT_THAT(index.not_fresh(selected),
              ElementsAre(p.step("credit/clean"), p.step("credit/features")));
}

TEST(Staleness, ApplyIgnoresOlderRecordsAndStepsOutsideTheSpace) {
  Pipeline p(fan_in(), utc(2025, 1, 3));
  materialize_all(p);
  const AssetVersionRecord newer = p.materialize("credit/raw", "2025-01-01", "newer");
  auto index = p.build();
  EXPECT_FALSE(index.apply(p.records().front()));
  EXPECT_EQ(index.materialization(p.step("credit/raw", "2025-01-01"))->data_version, "newer");
  AssetVersionRecord outside = p.records().front();
  outside.partition_key = "2030-01-01";
  outside.event_id = 100;
  EXPECT_FALSE(index.apply(outside));
  EXPECT_EQ(index.max_event_id(), 100);
  AssetVersionRecord unknown = outside;
  unknown.asset_key = "nope";
  EXPECT_FALSE(index.apply(unknown));
}

TEST(Staleness, OrderingOnlyUpstreamPropagatesButIsNotAnInput) {
  Pipeline p({{.key = "a"}, {.key = "b", .after = {"a"}}});
  materialize_all(p);
  auto index = p.build();
  EXPECT_EQ(index.counts().fresh, 2u);
  index.apply(p.materialize("a", "", "new"));
  EXPECT_EQ(index.freshness(p.step("b")), Freshness::kFresh);
  auto current = CurrentVersions::of(p.graph());
  current.code_versions[p.step("a").node] = "2";
  index = p.build(current);
  EXPECT_THAT(index.reasons(p.step("b")), ElementsAre("upstream a is stale"));
}

// Incremental updates must agree with a cold build after every event, on random graphs with
// every kind of mapping.
TEST(Staleness, IncrementalApplyEqualsColdBuild) {
  std::mt19937 rng(20250104);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int graph_number = 0; graph_number < 12; ++graph_number) {
    const int assets = 6 + pick(20);
    std::vector<AssetSpec> specs;
    std::vector<bool> partitioned;
    for (int i = 0; i < assets; ++i) {
      AssetSpec spec{.key = "a" + std::to_string(i)};
      const bool daily_asset = pick(2) == 0;
      if (daily_asset) spec.partitions = daily("2025-01-01");
      const int deps = i == 0 ? 0 : pick(3);
      for (int d = 0; d < deps; ++d) {
        const int up = pick(i);
        const std::string key = "a" + std::to_string(up);
        if (daily_asset && partitioned[static_cast<std::size_t>(up)]) {
          const int kind = pick(3);
          if (kind == 0) spec.deps.push_back({key});
          if (kind == 1) spec.deps.push_back(testing::offset(key, -1));
          if (kind == 2) spec.deps.push_back(testing::all_of(key));
        } else if (partitioned[static_cast<std::size_t>(up)]) {
          spec.deps.push_back(testing::all_of(key));
        } else {
          spec.deps.push_back({key});
        }
      }
      if (i > 0 && pick(6) == 0) {
        // `after` maps like the default mapping: never from a partitioned to an unpartitioned one.
        const int up = pick(i);
        if (daily_asset || !partitioned[static_cast<std::size_t>(up)]) {
          spec.after.push_back("a" + std::to_string(up));
        }
      }
      partitioned.push_back(daily_asset);
      specs.push_back(spec);
    }
    Pipeline p(specs, utc(2025, 1, 5));
    auto index = p.build();
    for (int event = 0; event < 80; ++event) {
      const NodeId node = static_cast<NodeId>(pick(assets));
      const std::string asset = p.graph().key(node);
      const auto keys = p.space().keys(node);
      const std::string key =
          keys.empty() ? "" : keys[static_cast<std::size_t>(pick(static_cast<int>(keys.size())))];
      if (pick(5) == 0) {
        ASSERT_TRUE(index.apply(p.observe(asset, key, "obs" + std::to_string(pick(3)))));
      } else {
        // A content hash drawn from a small set: repeated versions exercise the early stop.
        std::optional<std::string> version;
        if (pick(2) == 0) version = "content" + std::to_string(pick(3));
        ASSERT_TRUE(index.apply(p.materialize(asset, key, version)));
      }
      auto cold = p.build();
      ASSERT_EQ(cold.size(), index.size());
      for (StepId id = 0; id < cold.size(); ++id) {
        const StepRef s = cold.step(id);
        ASSERT_EQ(index.freshness(s), cold.freshness(s))
            << "graph " << graph_number << " event " << event << " step " << p.space().step_key(s);
        ASSERT_EQ(index.causes(s), cold.causes(s)) << p.space().step_key(s);
      }
      ASSERT_EQ(index.counts().fresh, cold.counts().fresh);
      ASSERT_EQ(index.counts().stale, cold.counts().stale);
      ASSERT_EQ(index.counts().missing, cold.counts().missing);
    }
  }
}

TEST(Staleness, RejectsCurrentVersionsOfAnotherGraph) {
  Pipeline p(chain());
  CurrentVersions current;
  current.code_versions = {"1"};
  EXPECT_THROW(p.build(current), Error);
}

}  // namespace
}  // namespace cairn
