#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <date/date.h>

#include "cairn/partitions.hpp"

namespace cairn {
namespace {

using std::chrono::hours;
using std::chrono::sys_seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

sys_seconds utc(int y, unsigned m, unsigned d, int h = 0) {
  return date::sys_days(date::year(y) / date::month(m) / date::day(d)) + hours(h);
}

template <class F>
std::string partition_error(F&& f) {
  try {
    f();
  } catch (const PartitionError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no PartitionError";
  return "";
}

TEST(PartitionsDefinition, DailyKeysAreTheWindowsEndedByNow) {
  auto days = daily("2025-01-01", "Europe/London");
  EXPECT_EQ(days.kind(), PartitionsKind::kTimeWindow);
  EXPECT_EQ(days.cadence(), Cadence::kDaily);
  EXPECT_EQ(days.timezone(), "Europe/London");
  EXPECT_TRUE(days.keys(utc(2025, 1, 1, 12)).empty());
  EXPECT_THAT(days.keys(utc(2025, 1, 4)), ElementsAre("2025-01-01", "2025-01-02", "2025-01-03"));
  EXPECT_EQ(days.describe(), "daily from 2025-01-01 (Europe/London)");
  EXPECT_EQ(days.window("2025-01-02"), (TimeWindow{utc(2025, 1, 2), utc(2025, 1, 3)}));
}

TEST(PartitionsDefinition, ValidateKeyStatesTheValidRange) {
  auto days = daily("2025-01-01", "Europe/London");
  const auto now = utc(2025, 3, 5);
  EXPECT_NO_THROW(days.validate_key("2025-03-04", now));
  EXPECT_EQ(partition_error([&] { days.validate_key("2024-12-31", now); }),
            "daily partitions from 2025-01-01 to 2025-03-04 (Europe/London); '2024-12-31' is "
            "before the first");
  EXPECT_EQ(partition_error([&] { days.validate_key("2025-1-1", now); }),
            "daily partitions from 2025-01-01 to 2025-03-04 (Europe/London); '2025-1-1' is not a "
            "date in format %Y-%m-%d");
  EXPECT_EQ(partition_error([&] { days.validate_key("2025-03-05", now); }),
            "daily partitions from 2025-01-01 to 2025-03-04 (Europe/London); '2025-03-05' is "
            "after the last: its window has not ended yet (it ends 2025-03-06 00:00 GMT)");
  EXPECT_THAT(partition_error([&] { days.validate_key("2025-01-01", utc(2024, 6, 1)); }),
              HasSubstr("none of which has ended yet"));
}

TEST(PartitionsDefinition, EndOptionBoundsKeysShiftAndValidation) {
  auto days = daily("2025-01-01", "UTC", {.end = "2025-01-10"});
  const auto later = utc(2026, 1, 1);
  auto keys = days.keys(later);
  ASSERT_EQ(keys.size(), 9u);
  EXPECT_EQ(keys.back(), "2025-01-09");
  EXPECT_EQ(days.describe(), "daily from 2025-01-01 to 2025-01-09 (UTC)");
  EXPECT_THAT(partition_error([&] { days.validate_key("2025-01-10", later); }),
              HasSubstr("'2025-01-10' is after the last (the definition ends at 2025-01-10 "
                        "00:00 UTC)"));
  EXPECT_EQ(days.shift("2025-01-09", 1), std::nullopt);
  EXPECT_EQ(days.shift("2025-01-08", 1), "2025-01-09");
  EXPECT_EQ(days.key_containing(utc(2025, 1, 10)), std::nullopt);
}

TEST(PartitionsDefinition, ShiftAtTheStartAndKeyContaining) {
  auto days = daily("2025-01-01", "America/New_York");
  EXPECT_EQ(days.shift("2025-01-01", -1), std::nullopt);
  EXPECT_EQ(days.shift("2025-01-05", -4), "2025-01-01");
  EXPECT_EQ(days.shift("2025-01-01", 0), "2025-01-01");
  EXPECT_EQ(days.shift("2025-02-28", 1), "2025-03-01");
  EXPECT_EQ(days.shift("2025-12-31", 1), "2026-01-01");  // open-ended: future keys exist
  EXPECT_THROW(days.shift("2024-12-31", 1), PartitionError);
  EXPECT_EQ(days.key_containing(utc(2025, 1, 2, 4)), "2025-01-01");  // 23:00 EST
  EXPECT_EQ(days.key_containing(utc(2025, 1, 2, 5)), "2025-01-02");
  EXPECT_EQ(days.key_containing(utc(2025, 1, 1, 4)), std::nullopt);
}

TEST(PartitionsDefinition, RangeOfTimeStaticAndDynamicKeys) {
  auto days = daily("2025-01-01");
  const auto now = utc(2025, 2, 1);
  EXPECT_THAT(days.range("2025-01-30", "2025-01-31", now), ElementsAre("2025-01-30", "2025-01-31"));
  EXPECT_EQ(days.range("2025-01-01", "2025-01-31", now).size(), 31u);
  EXPECT_THAT(partition_error([&] { days.range("2025-01-05", "2025-01-02", now); }),
              HasSubstr("is backwards: '2025-01-02' comes before '2025-01-05'"));
  EXPECT_THAT(partition_error([&] { days.range("2025-01-05", "2025-02-01", now); }),
              HasSubstr("'2025-02-01' is after the last"));

  auto regions = static_partitions({"eu", "us", "apac"});
  EXPECT_THAT(regions.range("us", "apac", now), ElementsAre("us", "apac"));
  EXPECT_THROW(regions.range("apac", "eu", now), PartitionError);

  auto models = dynamic_partitions("models");
  EXPECT_THAT(models.range("b", "c", now, {"a", "b", "c"}), ElementsAre("b", "c"));
}

TEST(PartitionsDefinition, HourlyDefaultFormatAndDstKeys) {
  auto hours_of = hourly("2025-10-26-00:00", "Europe/London");
  auto keys = hours_of.keys(utc(2025, 10, 26, 3));
  EXPECT_THAT(keys, ElementsAre("2025-10-26-00:00", "2025-10-26-01:00", "2025-10-26-01:00-2nd",
                                "2025-10-26-02:00"));
  EXPECT_NO_THROW(hours_of.validate_key("2025-10-26-01:00-2nd", utc(2025, 10, 26, 3)));
  EXPECT_EQ(hours_of.shift("2025-10-26-01:00", 1), "2025-10-26-01:00-2nd");
}

TEST(PartitionsDefinition, CustomFormatRoundTrips) {
  auto days = daily("2025-01-01", "UTC", {.format = "%Y%m%d"});
  EXPECT_THAT(days.keys(utc(2025, 1, 3)), ElementsAre("20250101", "20250102"));
  EXPECT_EQ(days.window("20250102"), (TimeWindow{utc(2025, 1, 2), utc(2025, 1, 3)}));
  auto months = monthly("2025-01", "UTC", {.format = "%Y-%m"});
  EXPECT_THAT(months.keys(utc(2025, 3, 1)), ElementsAre("2025-01", "2025-02"));
  EXPECT_EQ(months.window("2025-02"), (TimeWindow{utc(2025, 2, 1), utc(2025, 3, 1)}));
  auto hours_of = hourly("2025-01-01", "UTC", {.format = "%Y%m%dT%H"});
  EXPECT_EQ(hours_of.keys(utc(2025, 1, 1, 2)).back(), "20250101T01");
}

TEST(PartitionsDefinition, FormatsThatCannotRoundTripAreRejected) {
  EXPECT_EQ(partition_error([] { daily("2025-01-01", "UTC", {.format = "%Y-%m"}); }),
            "key format '%Y-%m' of daily partitions has no %d: two windows would get the same "
            "key; add %d");
  EXPECT_THAT(partition_error([] { hourly("2025-01-01", "UTC", {.format = "%Y-%m-%d"}); }),
              HasSubstr("has no %H"));
  EXPECT_THAT(partition_error([] { daily("2025-01-01", "UTC", {.format = "%d %b %Y"}); }),
              HasSubstr("contains ' '"));
  EXPECT_THAT(partition_error([] { daily("2025-01-01", "UTC", {.format = "%Y-%m-%d-%a"}); }),
              HasSubstr("uses %a"));
}

TEST(PartitionsDefinition, BadDefinitionsNameTheProblem) {
  EXPECT_EQ(partition_error([] { daily("2025-01-01", "Europe/Lodnon"); }),
            "unknown time zone 'Europe/Lodnon' for daily partitions; use an IANA name such as "
            "\"UTC\" or \"Europe/London\"");
  EXPECT_THAT(partition_error([] { daily("2025-13-01"); }),
              HasSubstr("start '2025-13-01' of daily partitions is not a date"));
  EXPECT_THAT(partition_error([] { daily("2025-01-01", "UTC", {.hour_offset = 24}); }),
              HasSubstr("hour_offset 24 is out of range"));
  EXPECT_THAT(partition_error([] { weekly("2025-01-01", "UTC", {.day_offset = 7}); }),
              HasSubstr("day_offset 7 is out of range"));
  EXPECT_THAT(partition_error([] { hourly("2025-01-01", "UTC", {.hour_offset = 1}); }),
              HasSubstr("hour_offset does not apply to hourly"));
}

TEST(PartitionsDefinition, StaticKeys) {
  auto regions = static_partitions({"eu", "us"});
  EXPECT_EQ(regions.kind(), PartitionsKind::kStatic);
  EXPECT_THAT(regions.static_keys(), ElementsAre("eu", "us"));
  EXPECT_THAT(regions.keys(utc(2000, 1, 1)), ElementsAre("eu", "us"));
  EXPECT_EQ(regions.describe(), "static: eu, us");
  EXPECT_NO_THROW(regions.validate_key("us", {}));
  EXPECT_THAT(partition_error([&] { regions.validate_key("uk", {}); }),
              HasSubstr("'uk' is not one of the static partitions eu, us (did you mean 'us'"));
  EXPECT_THROW(static_partitions({}), PartitionError);
  EXPECT_THAT(partition_error([] {
                static_partitions({"a", "b", "a"});
              }),
              HasSubstr("list 'a' twice"));
  EXPECT_THAT(partition_error([] { static_partitions({"a/b"}); }),
              HasSubstr("invalid partition key 'a/b'"));
  EXPECT_THROW(regions.window("eu"), PartitionError);
  EXPECT_THROW(regions.cadence(), PartitionError);
}

TEST(PartitionsDefinition, DynamicKeysComeFromTheSet) {
  auto models = dynamic_partitions("models");
  EXPECT_EQ(models.kind(), PartitionsKind::kDynamic);
  EXPECT_EQ(models.dynamic_name(), "models");
  EXPECT_EQ(models.describe(), "dynamic 'models'");
  EXPECT_THAT(models.keys({}, {"xgb", "logreg"}), ElementsAre("xgb", "logreg"));
  EXPECT_NO_THROW(models.validate_key("xgb", {}, {"xgb", "logreg"}));
  EXPECT_THAT(partition_error([&] { models.validate_key("rf", {}, {"xgb"}); }),
              HasSubstr("'rf' is not in dynamic partition set 'models' (xgb)"));
  EXPECT_THAT(partition_error([&] { models.validate_key("rf", {}, {}); }),
              HasSubstr("which is empty; add it with ctx.add_dynamic_partitions()"));
  EXPECT_THROW(dynamic_partitions("my models"), PartitionError);
  EXPECT_THROW(dynamic_partitions(""), PartitionError);
  EXPECT_NO_THROW(dynamic_partitions("model-set_2"));
}

TEST(PartitionsDefinition, EqualityComparesKindAndParameters) {
  EXPECT_EQ(daily("2025-01-01"), daily("2025-01-01", "UTC"));
  EXPECT_NE(daily("2025-01-01"), daily("2025-01-02"));
  EXPECT_NE(daily("2025-01-01"), daily("2025-01-01", "Europe/London"));
  EXPECT_NE(daily("2025-01-01"), daily("2025-01-01", "UTC", {.format = "%Y%m%d"}));
  EXPECT_NE(daily("2025-01-01"), daily("2025-01-01", "UTC", {.end = "2026-01-01"}));
  EXPECT_NE(daily("2025-01-01"), weekly("2025-01-01"));
  EXPECT_EQ(static_partitions({"a", "b"}), static_partitions({"a", "b"}));
  EXPECT_NE(static_partitions({"a", "b"}), static_partitions({"b", "a"}));
  EXPECT_EQ(dynamic_partitions("m"), dynamic_partitions("m"));
  EXPECT_NE(dynamic_partitions("m"), dynamic_partitions("n"));
  EXPECT_NE(dynamic_partitions("a"), static_partitions({"a"}));
}

}  // namespace
}  // namespace cairn
