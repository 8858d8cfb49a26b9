#include "partitions/partition_mapping.hpp"
#include "compute_functions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn {
namespace {

using ::testing::HasSubstr;
using testing::leaf;
using ::testing::Optional;
using testing::pass;

int count_parts(Context&, const Partitioned<int>& parts) {
  return static_cast<int>(parts.size());
}

std::optional<std::string> problem(const AssetRef& down, const AssetRef& up,
                                   DependencyKind kind = DependencyKind::kTyped) {
  const AssetDefinition& def = down.definition();
  for (std::size_t i = 0; i < def.deps.size(); ++i) {
    if (def.deps[i] == up.key()) {
      return partition_mapping_problem(def, up.definition(), def.dep_partitions[i].mapping, kind);
    }
  }
  return partition_mapping_problem(def, up.definition(), PartitionMapping{}, kind);
}

TEST(PartitionMappingProblem, DefaultMapsAlikeOrUnpartitionedUpstreams) {
  auto config = asset<int>("config").compute(leaf);
  auto raw = asset<int>("credit/raw").partitioned(daily("2025-01-01")).compute(pass, config);
  auto clean = asset<int>("credit/clean").partitioned(daily("2025-01-01")).compute(pass, raw);
  auto later = asset<int>("credit/later").partitioned(daily("2025-02-01")).compute(pass, raw);
  EXPECT_EQ(problem(raw, config), std::nullopt);
  EXPECT_EQ(problem(clean, raw), std::nullopt);
  EXPECT_EQ(problem(later, raw), std::nullopt);  // same grid, later start
}

TEST(PartitionMappingProblem, UnpartitionedReadingPartitionedNeedsAnExplicitMapping) {
  auto raw = asset<int>("credit/raw").partitioned(daily("2025-01-01")).compute(leaf);
  auto model = asset<int>("credit/model").compute(pass, raw);
  EXPECT_THAT(problem(model, raw),
              Optional(std::string(
                  "asset 'credit/model' (unpartitioned) depends on partitioned 'credit/raw' "
                  "(daily from 2025-01-01 (UTC)) with the default mapping: pass "
                  "raw.all_partitions() or raw.partition(\"KEY\")")));
  auto fan_in = asset<int>("credit/fan_in").compute(count_parts, raw.all_partitions());
  auto one = asset<int>("credit/one").compute(pass, raw.partition("2025-01-01"));
  EXPECT_EQ(problem(fan_in, raw), std::nullopt);
  EXPECT_EQ(problem(one, raw), std::nullopt);
}

TEST(PartitionMappingProblem, DefaultBetweenDifferentPartitionsIsAnError) {
  auto hours = asset<int>("hours").partitioned(hourly("2025-01-01")).compute(leaf);
  auto days = asset<int>("days").partitioned(daily("2025-01-01")).compute(pass, hours);
  EXPECT_THAT(problem(days, hours), Optional(HasSubstr("same cadence, time zone and offsets")));
  EXPECT_THAT(problem(days, hours), Optional(HasSubstr("pass hours.all_partitions()")));

  auto regions = asset<int>("regions").partitioned(static_partitions({"eu", "us"})).compute(leaf);
  auto subset = asset<int>("subset").partitioned(static_partitions({"us"})).compute(pass, regions);
  auto wider =
      asset<int>("wider").partitioned(static_partitions({"eu", "uk"})).compute(pass, regions);
  EXPECT_EQ(problem(subset, regions), std::nullopt);
  EXPECT_THAT(problem(wider, regions), Optional(HasSubstr("has no partition 'uk'")));

  auto models = asset<int>("models").partitioned(dynamic_partitions("models")).compute(leaf);
  auto evals = asset<int>("evals").partitioned(dynamic_partitions("models")).compute(pass, models);
  auto others = asset<int>("others").partitioned(dynamic_partitions("other")).compute(pass, models);
  EXPECT_EQ(problem(evals, models), std::nullopt);
  EXPECT_THAT(problem(others, models), Optional(HasSubstr("needs both partitioned alike")));
}

TEST(PartitionMappingProblem, OffsetNeedsTimeWindowsOnOneGrid) {
  auto raw = asset<int>("raw").partitioned(daily("2025-01-01", "Europe/London")).compute(leaf);
  auto drift = asset<int>("drift")
                   .partitioned(daily("2025-01-02", "Europe/London"))
                   .compute(pass, raw.offset(-1));
  EXPECT_EQ(problem(drift, raw), std::nullopt);
  auto utc_drift =
      asset<int>("utc_drift").partitioned(daily("2025-01-02")).compute(pass, raw.offset(-1));
  EXPECT_THAT(problem(utc_drift, raw),
              Optional(HasSubstr("depends on raw.offset(-1) of 'raw' (daily from 2025-01-01 "
                                 "(Europe/London)): an offset needs both on the same cadence")));
  auto plain = asset<int>("plain").compute(pass, raw.offset(-1));
  EXPECT_THAT(problem(plain, raw), Optional(HasSubstr("both must be partitioned by time")));
}

TEST(PartitionMappingProblem, StaticMapAndSinglePartitionKeysAreChecked) {
  auto regions = asset<int>("regions").partitioned(static_partitions({"eu", "us"})).compute(leaf);
  auto sites = asset<int>("sites").partitioned(static_partitions({"paris", "nyc"}));
  auto good = sites.compute(pass, regions.mapped({{"paris", "eu"}, {"nyc", "us"}}));
  EXPECT_EQ(problem(good, regions), std::nullopt);
  auto bad_value = sites.compute(pass, regions.mapped({{"paris", "fr"}, {"nyc", "us"}}));
  EXPECT_THAT(problem(bad_value, regions),
              Optional(HasSubstr("upstream key 'fr' is not one of its keys")));
  auto bad_key = sites.compute(pass, regions.mapped({{"paris", "eu"}, {"la", "us"}}));
  EXPECT_THAT(problem(bad_key, regions),
              Optional(HasSubstr("downstream key 'la' is not one of its keys")));
  auto incomplete = sites.compute(pass, regions.mapped({{"paris", "eu"}}));
  EXPECT_THAT(problem(incomplete, regions), Optional(HasSubstr("no entry for partition 'nyc'")));

  auto single = asset<int>("single").compute(pass, regions.partition("apac"));
  EXPECT_THAT(problem(single, regions), Optional(HasSubstr("'apac' is not one of its keys")));
  auto days = asset<int>("days").partitioned(daily("2025-01-01")).compute(leaf);
  auto before = asset<int>("before").compute(pass, days.partition("2024-12-31"));
  EXPECT_THAT(problem(before, days), Optional(HasSubstr("'2024-12-31' is before the first")));
}

TEST(PartitionMappingProblem, MappingsOfAnUnpartitionedUpstreamAreErrors) {
  auto config = asset<int>("config").compute(leaf);
  auto all = asset<int>("all").compute(count_parts, config.all_partitions());
  EXPECT_THAT(problem(all, config), Optional(HasSubstr("'config' is not partitioned; pass config "
                                                       "itself")));
}

TEST(PartitionMappingProblem, AfterUsesTheDefaultRules) {
  auto raw = asset<int>("raw").partitioned(daily("2025-01-01")).compute(leaf);
  auto report = asset<int>("report").after(raw).compute(leaf);
  EXPECT_THAT(problem(report, raw, DependencyKind::kOrderingOnly),
              Optional(HasSubstr("asset 'report' (unpartitioned) runs after partitioned 'raw'")));
  auto audit = asset<int>("audit").partitioned(daily("2025-01-01")).after(raw).compute(leaf);
  EXPECT_EQ(problem(audit, raw, DependencyKind::kOrderingOnly), std::nullopt);
  auto config = asset<int>("config").compute(leaf);
  auto after_config = asset<int>("x").partitioned(daily("2025-01-01")).after(config).compute(leaf);
  EXPECT_EQ(problem(after_config, config, DependencyKind::kOrderingOnly), std::nullopt);
}

TEST(ResolvePartitionMapping, ShiftCountsWindowsBetweenStarts) {
  auto raw = daily("2025-01-01", "Europe/London");
  auto drift = daily("2025-01-03", "Europe/London");
  auto r = resolve_partition_mapping(drift, raw, PartitionMapping{});
  EXPECT_EQ(r.kind, ResolvedMapping::Kind::kShift);
  EXPECT_EQ(r.shift, 2);
  r = resolve_partition_mapping(
      drift, raw, PartitionMapping{.kind = PartitionMapping::Kind::kOffset, .offset = -1});
  EXPECT_EQ(r.shift, 1);
  r = resolve_partition_mapping(std::nullopt, raw,
                                PartitionMapping{.kind = PartitionMapping::Kind::kAll});
  EXPECT_EQ(r.kind, ResolvedMapping::Kind::kAll);
  r = resolve_partition_mapping(raw, std::nullopt, PartitionMapping{});
  EXPECT_EQ(r.kind, ResolvedMapping::Kind::kWhole);
  const PartitionMapping map{.kind = PartitionMapping::Kind::kStatic,
                             .static_map = {{"paris", "eu"}}};
  r = resolve_partition_mapping(static_partitions({"paris"}), static_partitions({"eu"}), map);
  EXPECT_EQ(r.kind, ResolvedMapping::Kind::kByKey);
  EXPECT_EQ(r.upstream_key("paris"), "eu");
  EXPECT_EQ(r.upstream_key("nyc"), std::nullopt);
}

}  // namespace
}  // namespace cairn
