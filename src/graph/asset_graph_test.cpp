#include "graph/asset_graph.hpp"
#include "compute_functions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cairn/error.hpp"
#include "graph/selection.hpp"

namespace cairn {
namespace {

using testing::leaf;
using testing::pass;
using testing::sum;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Definitions holding these assets and jobs.
Definitions definitions(std::vector<AssetRef> assets, std::vector<Job> jobs = {}) {
  Definitions defs;
  defs.assets = std::move(assets);
  defs.jobs = std::move(jobs);
  return defs;
}

Job job(std::string name, std::string selection) {
  Job j;
  j.name = std::move(name);
  j.selection = std::move(selection);
  return j;
}

std::vector<std::string> keys_of(const AssetGraph& g, std::span<const NodeId> ids) {
  std::vector<std::string> keys;
  for (NodeId id : ids) keys.push_back(g.key(id));
  return keys;
}

std::string build_error(const Definitions& defs) {
  try {
    AssetGraph::build(defs);
  } catch (const DefinitionError& e) {
    return e.what();
  }
  ADD_FAILURE() << "AssetGraph::build did not throw DefinitionError";
  return "";
}

class NullIOManager : public IOManager {
 public:
  std::string store(const ValueRef&, const AnyValue&) override { return "null:"; }
  AnyValue load(const ValueRef&, std::string_view) override { return {}; }
};

struct NoCodec {
  int value = 0;
};

TEST(AssetGraph, NodeIdsFollowDefinitionsOrder) {
  auto a = asset<int>("credit/a").group("g1").compute(leaf);
  auto b = asset<int>("credit/b").group("g0").compute(pass, a);
  AssetGraph g = AssetGraph::build(definitions({b, a}));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g.key(0), "credit/b");
  EXPECT_EQ(g.key(1), "credit/a");
  EXPECT_EQ(&g.definition(0), &b.definition());
  EXPECT_EQ(g.find("credit/a"), NodeId{1});
  EXPECT_EQ(g.find("credit"), std::nullopt);
  EXPECT_THAT(g.keys(), ElementsAre("credit/b", "credit/a"));
  EXPECT_THAT(g.groups(), ElementsAre("g0", "g1"));
  EXPECT_EQ(g.definitions().assets.size(), 2u);
}

TEST(AssetGraph, TypedUpstreamKeepsArgumentOrderAndRepeats) {
  auto a = asset<int>("a").compute(leaf);
  auto b = asset<int>("b").compute(leaf);
  auto c = asset<int>("c").compute(sum, b, a);
  auto d = asset<int>("d").compute(sum, a, a);
  AssetGraph g = AssetGraph::build(definitions({a, b, c, d}));
  EXPECT_THAT(keys_of(g, g.typed_upstream(2)), ElementsAre("b", "a"));
  EXPECT_THAT(keys_of(g, g.typed_upstream(3)), ElementsAre("a", "a"));
  EXPECT_THAT(keys_of(g, g.upstream(3)), ElementsAre("a"));
  EXPECT_TRUE(g.typed_upstream(0).empty());
}

TEST(AssetGraph, UpstreamIsTypedThenOrderingWithoutDuplicates) {
  auto a = asset<int>("a").compute(leaf);
  auto b = asset<int>("b").compute(leaf);
  auto c = asset<int>("c").after("b").after(a).compute(pass, a);
  AssetGraph g = AssetGraph::build(definitions({a, b, c}));
  EXPECT_THAT(keys_of(g, g.upstream(2)), ElementsAre("a", "b"));
  EXPECT_THAT(keys_of(g, g.typed_upstream(2)), ElementsAre("a"));
  EXPECT_FALSE(g.is_ordering_only(0, 2));
  EXPECT_TRUE(g.is_ordering_only(1, 2));
}

TEST(AssetGraph, DownstreamListsEveryDependentOnceByNodeId) {
  auto a = asset<int>("a").compute(leaf);
  auto x = asset<int>("x").compute(leaf);
  auto c = asset<int>("c").after(a).compute(pass, a);
  auto b = asset<int>("b").compute(sum, x, a);
  AssetGraph g = AssetGraph::build(definitions({a, x, b, c}));
  EXPECT_THAT(keys_of(g, g.downstream(0)), ElementsAre("b", "c"));
  EXPECT_THAT(keys_of(g, g.downstream(1)), ElementsAre("b"));
  EXPECT_TRUE(g.downstream(2).empty());
}

TEST(AssetGraph, TopologicalOrderBreaksTiesByDefinitionsOrder) {
  auto a = asset<int>("a").compute(leaf);
  auto b = asset<int>("b").after("a").compute(leaf);
  auto c = asset<int>("c").compute(leaf);
  auto d = asset<int>("d").compute(pass, c);
  // Each downstream is listed before its upstream.
  AssetGraph g = AssetGraph::build(definitions({d, b, a, c}));
  // A first-in-first-out queue would place c before b; the asset listed first wins instead.
  EXPECT_THAT(keys_of(g, g.topological_order()), ElementsAre("a", "b", "c", "d"));
}

TEST(AssetGraph, FindJob) {
  auto a = asset<int>("a").compute(leaf);
  Job nightly = job("nightly", "a");
  nightly.description = "all";
  AssetGraph g = AssetGraph::build(definitions({a}, {nightly}));
  ASSERT_NE(g.find_job("nightly"), nullptr);
  EXPECT_EQ(g.find_job("nightly")->description, "all");
  EXPECT_EQ(g.find_job("weekly"), nullptr);
}

TEST(AssetGraph, CopyOutlivesTheOriginal) {
  auto a = asset<int>("some/rather/long/asset/key/beyond/small/strings").compute(leaf);
  auto make = [&] { return AssetGraph::build(definitions({a})); };
  auto copy = std::make_unique<AssetGraph>(make());
  AssetGraph second = *copy;
  copy.reset();
  EXPECT_EQ(second.find("some/rather/long/asset/key/beyond/small/strings"), NodeId{0});
}

TEST(AssetGraphValidation, DuplicateKeyNamesBothSourcesAndTheFix) {
  auto first = asset<int>("a").compute(leaf);
  auto second = asset<int>("a").compute(leaf);
  std::string message = build_error(definitions({first, second}));
  std::string at1 = std::string(first.definition().source_file) + ":" +
                    std::to_string(first.definition().source_line);
  std::string at2 = std::string(second.definition().source_file) + ":" +
                    std::to_string(second.definition().source_line);
  EXPECT_EQ(message, "asset key 'a' is defined twice (at " + at1 + " and " + at2 + "); rename one");
}

TEST(AssetGraphValidation, SameHandleListedTwice) {
  auto a = asset<int>("a").compute(leaf);
  EXPECT_EQ(build_error(definitions({a, a})),
            "asset 'a' is listed twice in Definitions::assets; remove one");
}

TEST(AssetGraphValidation, TypedDependencyMissingFromDefinitions) {
  auto a = asset<int>("credit/raw").compute(leaf);
  auto b = asset<int>("credit/features").compute(pass, a);
  EXPECT_EQ(build_error(definitions({b})),
            "asset 'credit/features' depends on 'credit/raw' which is not in "
            "Definitions::assets; add the 'credit/raw' handle to Definitions::assets");
}

TEST(AssetGraphValidation, AfterKeyMissingSuggestsCloseKeys) {
  auto a = asset<int>("credit/raw").compute(leaf);
  auto b = asset<int>("report").after("credit/rwa").compute(leaf);
  std::string message = build_error(definitions({a, b}));
  EXPECT_THAT(message, HasSubstr("asset 'report' runs after 'credit/rwa' which is not in "
                                 "Definitions::assets"));
  EXPECT_THAT(message, HasSubstr("(did you mean 'credit/raw'?)"));
}

TEST(AssetGraphValidation, OrderingCycleShowsPathAndAfterEdges) {
  auto a = asset<int>("a").after("b").compute(leaf);
  auto b = asset<int>("b").after("a").compute(leaf);
  EXPECT_EQ(build_error(definitions({a, b})),
            "assets depend on each other in a cycle: a -> b -> a (each runs after the next); "
            "remove one of the .after() dependencies: 'a'.after(\"b\"), 'b'.after(\"a\")");
}

TEST(AssetGraphValidation, CycleThroughTypedEdgeNamesOnlyTheAfterEdge) {
  auto a = asset<int>("a").after("c").compute(leaf);
  auto b = asset<int>("b").compute(pass, a);
  auto c = asset<int>("c").compute(pass, b);
  auto free = asset<int>("free").compute(leaf);
  EXPECT_EQ(build_error(definitions({free, a, b, c})),
            "assets depend on each other in a cycle: a -> c -> b -> a (each runs after the "
            "next); remove one of the .after() dependencies: 'a'.after(\"c\")");
}

TEST(AssetGraphValidation, SelfCycle) {
  auto a = asset<int>("a").after("a").compute(leaf);
  EXPECT_THAT(build_error(definitions({a})),
              HasSubstr("cycle: a -> a (each runs after the next); remove one of the .after() "
                        "dependencies: 'a'.after(\"a\")"));
}

TEST(AssetGraphValidation, UnknownResourceListsKnownOnes) {
  auto a = asset<int>("a").require_resource("warehuose").compute(leaf);
  Definitions defs = definitions({a});
  defs.resources.emplace("warehouse", Resource(std::make_shared<int>(1)));
  defs.resources.emplace("clock", Resource(std::make_shared<int>(2)));
  EXPECT_EQ(build_error(defs),
            "asset 'a' requires resource 'warehuose' which is not in Definitions::resources "
            "(known resources: 'clock', 'warehouse'); add it to Definitions::resources or fix "
            "the key in .require_resource() (did you mean 'warehouse'?)");
  defs.assets = {asset<int>("a").require_resource("clock").compute(leaf)};
  EXPECT_NO_THROW(AssetGraph::build(defs));
}

TEST(AssetGraphValidation, UnknownResourceWithNoResources) {
  auto a = asset<int>("a").require_resource("db").compute(leaf);
  EXPECT_THAT(build_error(definitions({a})),
              HasSubstr("requires resource 'db' which is not in Definitions::resources "
                        "(Definitions::resources is empty)"));
}

TEST(AssetGraphValidation, UnknownIOManager) {
  auto a = asset<int>("a").io_manager("memroy").compute(leaf);
  EXPECT_EQ(build_error(definitions({a})),
            "asset 'a' uses IO manager 'memroy' which does not exist (known IO managers: 'fs', "
            "'memory'); add it to Definitions::io_managers or fix the key in .io_manager() (did "
            "you mean 'memory'?)");
}

TEST(AssetGraphValidation, CustomIOManagerIsKnown) {
  auto a = asset<int>("a").io_manager("s3").compute(leaf);
  Definitions defs = definitions({a});
  EXPECT_THAT(build_error(defs), HasSubstr("'s3' which does not exist"));
  defs.io_managers["s3"] = std::make_shared<NullIOManager>();
  EXPECT_NO_THROW(AssetGraph::build(defs));
}

TEST(AssetGraphValidation, ValueWithoutCodecOnFilesystem) {
  auto a = asset<NoCodec>("a").compute([](Context&) { return NoCodec{}; });
  std::string message = build_error(definitions({a}));
  EXPECT_THAT(message, HasSubstr("asset 'a' returns "));
  EXPECT_THAT(message, HasSubstr("NoCodec which has no cairn::Codec; specialize cairn::Codec<T> "
                                 "(see cairn/codec.hpp) or store it with "
                                 ".io_manager(\"memory\")"));
}

TEST(AssetGraphValidation, ValueWithoutCodecIsFineInMemoryOrWithAnOverriddenFs) {
  auto in_memory =
      asset<NoCodec>("a").io_manager("memory").compute([](Context&) { return NoCodec{}; });
  EXPECT_NO_THROW(AssetGraph::build(definitions({in_memory})));
  auto on_fs = asset<NoCodec>("a").compute([](Context&) { return NoCodec{}; });
  Definitions defs = definitions({on_fs});
  defs.io_managers["fs"] = std::make_shared<NullIOManager>();
  EXPECT_NO_THROW(AssetGraph::build(defs));
}

TEST(AssetGraphValidation, JobWithEmptyName) {
  auto a = asset<int>("a").compute(leaf);
  EXPECT_EQ(build_error(definitions({a}, {job("", "a")})),
            "a job with selection 'a' has an empty name; give it a name");
}

TEST(AssetGraphValidation, DuplicateJobName) {
  auto a = asset<int>("a").compute(leaf);
  EXPECT_EQ(build_error(definitions({a}, {job("nightly", "a"), job("nightly", "*")})),
            "job name 'nightly' is used twice; rename one");
}

TEST(AssetGraphValidation, JobWithInvalidSelectionWrapsTheSelectionError) {
  auto a = asset<int>("credit/raw").compute(leaf);
  EXPECT_EQ(build_error(definitions({a}, {job("nightly", "credti/raw")})),
            "job 'nightly': invalid selection: unknown asset 'credti/raw' (did you mean "
            "'credit/raw'?)\n"
            "  credti/raw\n"
            "  ^^^^^^^^^^");
}

TEST(AssetGraphValidation, JobSelectingNothing) {
  auto a = asset<int>("a").compute(leaf);
  EXPECT_EQ(build_error(definitions({a}, {job("never", "a and not a")})),
            "job 'never': selection 'a and not a' matches no asset; fix the selection or remove "
            "the job");
}

struct Knobs {
  std::int64_t depth = 3;
};
void describe_config(ConfigSchema<Knobs>& s) {
  s.field("depth", &Knobs::depth);
}

TEST(AssetGraphValidation, JobWithInvalidDefaultConfig) {
  auto a = asset<int>("a").config<Knobs>().compute(
      [](Context&, const Knobs& k) { return static_cast<int>(k.depth); });
  Job good = job("good", "a");
  good.config_json = R"({"assets": {"a": {"depth": 5}}})";
  EXPECT_NO_THROW(AssetGraph::build(definitions({a}, {good})));
  Job bad = job("bad", "a");
  bad.config_json = R"({"assets": {"a": {"dept": 5}}})";
  EXPECT_THAT(build_error(definitions({a}, {bad})),
              HasSubstr("config from job 'bad', asset 'a': unknown field 'dept' (did you mean "
                        "'depth'?)"));
}

TEST(AssetGraphValidation, ListsEveryProblem) {
  auto a = asset<int>("a").after("zzz").io_manager("nope").compute(leaf);
  std::string message = build_error(definitions({a}, {job("j", "a"), job("j", "")}));
  EXPECT_THAT(message, HasSubstr("invalid Definitions: 3 problems\n  - "));
  EXPECT_THAT(message, HasSubstr("\n  - asset 'a' runs after 'zzz'"));
  EXPECT_THAT(message, HasSubstr("\n  - asset 'a' uses IO manager 'nope'"));
  EXPECT_THAT(message, HasSubstr("\n  - job name 'j' is used twice"));
}

TEST(AssetGraphValidation, ListsAtMostTwentyProblems) {
  Definitions defs;
  for (int i = 0; i < 25; ++i) {
    defs.assets.push_back(asset<int>("a" + std::to_string(i)).io_manager("nope").compute(leaf));
  }
  std::string message = build_error(defs);
  EXPECT_THAT(message, HasSubstr("invalid Definitions: 25 problems"));
  EXPECT_THAT(message, HasSubstr("asset 'a19' uses"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("asset 'a20' uses")));
  EXPECT_THAT(message, ::testing::EndsWith("\n  ... and 5 more"));
}

TEST(AssetGraphValidation, MultiLineMessagesStayAlignedInTheList) {
  auto a = asset<int>("a").io_manager("nope").compute(leaf);
  std::string message = build_error(definitions({a}, {job("j", "zzz")}));
  EXPECT_THAT(message, HasSubstr("\n  - job 'j': invalid selection: unknown asset 'zzz'\n"
                                 "      zzz\n"
                                 "      ^^^"));
}

constexpr NodeId kLarge = 100'000;

TEST(AssetGraphScale, HundredThousandAssetChain) {
  Definitions defs;
  defs.assets.reserve(kLarge);
  Asset<int> previous = asset<int>("n/0").compute(leaf);
  defs.assets.push_back(previous);
  for (NodeId i = 1; i < kLarge; ++i) {
    previous = asset<int>("n/" + std::to_string(i)).compute(pass, previous);
    defs.assets.push_back(previous);
  }
  AssetGraph g = AssetGraph::build(defs);
  ASSERT_EQ(g.size(), kLarge);
  auto order = g.topological_order();
  ASSERT_EQ(order.size(), kLarge);
  for (NodeId i = 0; i < kLarge; ++i) ASSERT_EQ(order[i], i);
  EXPECT_THAT(keys_of(g, g.upstream(kLarge - 1)), ElementsAre("n/99998"));
  EXPECT_THAT(keys_of(g, g.downstream(0)), ElementsAre("n/1"));
  EXPECT_EQ(g.find("n/54321"), NodeId{54321});
  EXPECT_EQ(resolve_selection(g, "*n/99999").size(), kLarge);
  EXPECT_THAT(keys_of(g, resolve_selection(g, "++n/7+")), ElementsAre("n/5", "n/6", "n/7", "n/8"));
}

TEST(AssetGraphScale, HundredThousandAssetFanOut) {
  Definitions defs;
  defs.assets.reserve(kLarge);
  // Listed downstream-first so that every child waits for the root.
  auto root = asset<int>("root").compute(leaf);
  for (NodeId i = 1; i < kLarge; ++i) {
    defs.assets.push_back(asset<int>("child/" + std::to_string(i)).compute(pass, root));
  }
  defs.assets.push_back(root);
  AssetGraph g = AssetGraph::build(defs);
  ASSERT_EQ(g.size(), kLarge);
  EXPECT_EQ(g.downstream(kLarge - 1).size(), kLarge - 1);
  auto order = g.topological_order();
  ASSERT_EQ(order.size(), kLarge);
  EXPECT_EQ(order[0], kLarge - 1);
  for (NodeId i = 1; i < kLarge; ++i) ASSERT_EQ(order[i], i - 1);
}

int count_days(Context&, const Partitioned<int>& days) {
  return static_cast<int>(days.size());
}

TEST(AssetGraphPartitions, UnpartitionedReadingPartitionedWithTheDefaultMappingIsAnError) {
  auto raw = asset<int>("credit/raw").partitioned(daily("2025-01-01")).compute(leaf);
  auto model = asset<int>("credit/model").compute(pass, raw);
  EXPECT_EQ(build_error(definitions({raw, model})),
            "asset 'credit/model' (unpartitioned) depends on partitioned 'credit/raw' (daily from "
            "2025-01-01 (UTC)) with the default mapping: pass raw.all_partitions() or "
            "raw.partition(\"KEY\")");
  auto fan_in = asset<int>("credit/model").compute(count_days, raw.all_partitions());
  EXPECT_NO_THROW(AssetGraph::build(definitions({raw, fan_in})));
}

TEST(AssetGraphPartitions, MappingProblemsAreListedWithTheOthers) {
  auto hours = asset<int>("hours").partitioned(hourly("2025-01-01")).compute(leaf);
  auto days = asset<int>("days").partitioned(daily("2025-01-01")).compute(pass, hours.offset(-1));
  auto regions = asset<int>("regions").partitioned(static_partitions({"eu", "us"})).compute(leaf);
  auto one = asset<int>("one").compute(pass, regions.partition("apac"));
  auto orphan = asset<int>("orphan").compute(pass, days);  // also unpartitioned on partitioned
  const std::string message = build_error(definitions({hours, days, regions, one, orphan}));
  EXPECT_THAT(message, HasSubstr("invalid Definitions: 3 problems"));
  EXPECT_THAT(message, HasSubstr("asset 'days' (daily from 2025-01-01 (UTC)) depends on "
                                 "hours.offset(-1) of 'hours' (hourly from 2025-01-01-00:00 "
                                 "(UTC)): an offset needs both on the same cadence"));
  EXPECT_THAT(message, HasSubstr("depends on regions.partition(\"apac\") of 'regions' (static: "
                                 "eu, us): 'apac' is not one of its keys"));
  EXPECT_THAT(message, HasSubstr("asset 'orphan' (unpartitioned) depends on partitioned 'days'"));
}

TEST(AssetGraphPartitions, AfterBetweenDifferentlyPartitionedAssetsUsesTheDefaultRules) {
  auto raw = asset<int>("raw").partitioned(daily("2025-01-01")).compute(leaf);
  auto report = asset<int>("report").after(raw).compute(leaf);
  EXPECT_THAT(build_error(definitions({raw, report})),
              HasSubstr("asset 'report' (unpartitioned) runs after partitioned 'raw' (daily from "
                        "2025-01-01 (UTC)): an .after() dependency maps partitions like the "
                        "default mapping"));
  auto weekly_report =
      asset<int>("weekly").partitioned(weekly("2025-01-05")).after("raw").compute(leaf);
  EXPECT_THAT(build_error(definitions({raw, weekly_report})),
              HasSubstr("asset 'weekly' (weekly from 2025-01-05 (UTC)) runs after 'raw'"));
  auto audit = asset<int>("audit").partitioned(daily("2025-01-01")).after(raw).compute(leaf);
  auto config = asset<int>("config").compute(leaf);
  auto after_config = asset<int>("x").partitioned(daily("2025-01-01")).after(config).compute(leaf);
  EXPECT_NO_THROW(AssetGraph::build(definitions({raw, audit, config, after_config})));
}

TEST(AssetGraphPartitions, AMissingDependencyDoesNotShiftTheMappingsOfTheOthers) {
  auto raw = asset<int>("raw").partitioned(daily("2025-01-01")).compute(leaf);
  auto ghost = asset<int>("ghost").compute(leaf);
  auto fan_in = asset<int>("fan_in").compute(
      [](Context&, const int&, const Partitioned<int>& days) {
        return static_cast<int>(days.size());
      },
      ghost, raw.all_partitions());
  EXPECT_EQ(build_error(definitions({raw, fan_in})),
            "asset 'fan_in' depends on 'ghost' which is not in Definitions::assets; add the "
            "'ghost' handle to Definitions::assets");
}

}  // namespace
}  // namespace cairn
