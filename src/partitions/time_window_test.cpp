#include "partitions/time_window.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace cairn {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;
using ::testing::HasSubstr;

sys_seconds utc(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  return date::sys_days(date::year(y) / date::month(m) / date::day(d)) + hours(h) + minutes(min);
}

TimeWindowSchedule schedule(Cadence cadence, const char* start, const char* tz,
                            TimeWindowOptions options = {}) {
  return TimeWindowSchedule::make(cadence, start, tz, options);
}

std::int64_t index_of(const TimeWindowSchedule& s, std::string_view key) {
  auto parsed = s.parse_key(key);
  if (const auto* why = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << "'" << key << "' " << *why;
    return -1000;
  }
  return std::get<std::int64_t>(parsed);
}

TimeWindow window_of(const TimeWindowSchedule& s, std::string_view key) {
  return s.window(index_of(s, key));
}

TEST(KeyFormat, FormatsAndParsesFixedWidthFields) {
  KeyFormat f = KeyFormat::compile("%Y%m%d.%H");
  std::string out;
  f.append({.year = 2025, .month = 3, .day = 9, .hour = 7, .minute = 0}, out);
  EXPECT_EQ(out, "20250309.07");
  KeyFormat::Fields parsed;
  ASSERT_TRUE(f.parse("20250309.07", {}, parsed));
  EXPECT_EQ(parsed.year, 2025);
  EXPECT_EQ(parsed.month, 3u);
  EXPECT_EQ(parsed.day, 9u);
  EXPECT_EQ(parsed.hour, 7u);
  EXPECT_FALSE(f.parse("2025039.07", {}, parsed));
  EXPECT_FALSE(f.parse("20250309.07x", {}, parsed));
  EXPECT_FALSE(f.parse("2025a309.07", {}, parsed));
}

TEST(KeyFormat, RejectsUnsupportedSpecifiersAndCharacters) {
  EXPECT_THROW(KeyFormat::compile("%Y-%j"), PartitionError);
  EXPECT_THROW(KeyFormat::compile("%Y/%m/%d"), PartitionError);
  EXPECT_THROW(KeyFormat::compile("%Y-%m-%d-%Y"), PartitionError);
  EXPECT_THROW(KeyFormat::compile("%Y%"), PartitionError);
}

TEST(TimeWindowSchedule, DailyWindowsLast23And25HoursOnLondonDstDays) {
  auto s = schedule(Cadence::kDaily, "2025-01-01", "Europe/London");
  // Clocks go forward at 01:00 UTC on 2025-03-30 and back at 01:00 UTC on 2025-10-26.
  EXPECT_EQ(window_of(s, "2025-03-30"), (TimeWindow{utc(2025, 3, 30), utc(2025, 3, 30, 23)}));
  EXPECT_EQ(window_of(s, "2025-10-26"), (TimeWindow{utc(2025, 10, 25, 23), utc(2025, 10, 27)}));
  EXPECT_EQ(window_of(s, "2025-07-01"), (TimeWindow{utc(2025, 6, 30, 23), utc(2025, 7, 1, 23)}));
  EXPECT_EQ(s.key(s.index_at(utc(2025, 3, 30, 22, 59))), "2025-03-30");
  EXPECT_EQ(s.key(s.index_at(utc(2025, 3, 30, 23))), "2025-03-31");
  EXPECT_EQ(s.key(s.index_at(utc(2025, 10, 26, 23, 30))), "2025-10-26");
}

TEST(TimeWindowSchedule, DailyWindowsLast23And25HoursOnNewYorkDstDays) {
  auto s = schedule(Cadence::kDaily, "2025-01-01", "America/New_York");
  // 2025-03-09 02:00 EST -> 03:00 EDT; 2025-11-02 02:00 EDT -> 01:00 EST.
  EXPECT_EQ(window_of(s, "2025-03-09"), (TimeWindow{utc(2025, 3, 9, 5), utc(2025, 3, 10, 4)}));
  EXPECT_EQ(window_of(s, "2025-11-02"), (TimeWindow{utc(2025, 11, 2, 4), utc(2025, 11, 3, 5)}));
}

TEST(TimeWindowSchedule, HourlySpringForwardHourHasNoWindow) {
  auto s = schedule(Cadence::kHourly, "2025-03-30", "Europe/London");
  std::vector<std::string> keys;
  s.append_keys(0, s.count(utc(2025, 3, 30, 23)), keys);  // local midnight of the 31st
  ASSERT_EQ(keys.size(), 23u);
  EXPECT_EQ(keys[0], "2025-03-30-00:00");
  EXPECT_EQ(keys[1], "2025-03-30-02:00");
  EXPECT_EQ(keys[22], "2025-03-30-23:00");
  EXPECT_EQ(window_of(s, "2025-03-30-02:00"),
            (TimeWindow{utc(2025, 3, 30, 1), utc(2025, 3, 30, 2)}));
  auto gap = s.parse_key("2025-03-30-01:00");
  ASSERT_TRUE(std::holds_alternative<std::string>(gap));
  EXPECT_THAT(std::get<std::string>(gap), HasSubstr("clocks go forward"));

  auto ny = schedule(Cadence::kHourly, "2025-03-09", "America/New_York");
  EXPECT_TRUE(std::holds_alternative<std::string>(ny.parse_key("2025-03-09-02:00")));
  EXPECT_EQ(window_of(ny, "2025-03-09-03:00"),
            (TimeWindow{utc(2025, 3, 9, 7), utc(2025, 3, 9, 8)}));
}

TEST(TimeWindowSchedule, HourlyFallBackHourHasTwoWindowsWithDistinctKeys) {
  auto s = schedule(Cadence::kHourly, "2025-10-26", "Europe/London");
  std::vector<std::string> keys;
  s.append_keys(0, s.count(utc(2025, 10, 27)), keys);
  ASSERT_EQ(keys.size(), 25u);
  EXPECT_EQ(keys[1], "2025-10-26-01:00");
  EXPECT_EQ(keys[2], "2025-10-26-01:00-2nd");
  EXPECT_EQ(keys[3], "2025-10-26-02:00");
  EXPECT_EQ(window_of(s, "2025-10-26-01:00"),
            (TimeWindow{utc(2025, 10, 26, 0), utc(2025, 10, 26, 1)}));
  EXPECT_EQ(window_of(s, "2025-10-26-01:00-2nd"),
            (TimeWindow{utc(2025, 10, 26, 1), utc(2025, 10, 26, 2)}));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
  auto not_repeated = s.parse_key("2025-10-26-03:00-2nd");
  ASSERT_TRUE(std::holds_alternative<std::string>(not_repeated));
  EXPECT_THAT(std::get<std::string>(not_repeated), HasSubstr("-2nd"));

  auto ny = schedule(Cadence::kHourly, "2025-11-02", "America/New_York");
  EXPECT_EQ(window_of(ny, "2025-11-02-01:00"),
            (TimeWindow{utc(2025, 11, 2, 5), utc(2025, 11, 2, 6)}));
  EXPECT_EQ(window_of(ny, "2025-11-02-01:00-2nd"),
            (TimeWindow{utc(2025, 11, 2, 6), utc(2025, 11, 2, 7)}));
  EXPECT_EQ(ny.key(ny.index_at(utc(2025, 11, 2, 6, 30))), "2025-11-02-01:00-2nd");
}

TEST(TimeWindowSchedule, EveryHourlyKeyRoundTripsAcrossAYearOfDstChanges) {
  for (const char* tz : {"Europe/London", "America/New_York", "Australia/Lord_Howe"}) {
    auto s = schedule(Cadence::kHourly, "2025-01-01", tz);
    const std::int64_t n = s.count(utc(2026, 1, 1));
    std::vector<std::string> keys;
    s.append_keys(0, n, keys);
    std::set<std::string> unique(keys.begin(), keys.end());
    EXPECT_EQ(unique.size(), keys.size()) << tz;
    for (std::int64_t i = 0; i < n; ++i) {
      auto parsed = s.parse_key(keys[static_cast<std::size_t>(i)]);
      ASSERT_TRUE(std::holds_alternative<std::int64_t>(parsed)) << tz << " " << keys[i];
      ASSERT_EQ(std::get<std::int64_t>(parsed), i) << tz << " " << keys[i];
      ASSERT_EQ(s.window_start(i + 1) - s.window_start(i), hours(1));
      ASSERT_EQ(s.index_at(s.window_start(i) + minutes(59)), i);
    }
  }
}

TEST(TimeWindowSchedule, DailyIndexIsArithmeticAroundEveryBoundary) {
  auto s = schedule(Cadence::kDaily, "2020-01-01", "America/New_York", {.hour_offset = 2});
  for (std::int64_t i = 0; i < 6 * 366; ++i) {
    const TimeWindow w = s.window(i);
    ASSERT_LT(w.start, w.end);
    ASSERT_EQ(s.index_at(w.start), i) << s.key(i);
    ASSERT_EQ(s.index_at(w.end - seconds(1)), i) << s.key(i);
    ASSERT_EQ(index_of(s, s.key(i)), i);
  }
}

TEST(TimeWindowSchedule, Feb29IsADailyWindowOnlyInLeapYears) {
  auto s = schedule(Cadence::kDaily, "2024-02-28", "UTC");
  std::vector<std::string> keys;
  s.append_keys(0, s.count(utc(2024, 3, 2)), keys);
  EXPECT_THAT(keys, ::testing::ElementsAre("2024-02-28", "2024-02-29", "2024-03-01"));
  auto y2023 = schedule(Cadence::kDaily, "2023-01-01", "UTC");
  auto parsed = y2023.parse_key("2023-02-29");
  ASSERT_TRUE(std::holds_alternative<std::string>(parsed));
  EXPECT_EQ(std::get<std::string>(parsed), "is not a date in format %Y-%m-%d");
}

TEST(TimeWindowSchedule, MonthlyWindowsEndAtTheEndOfEachMonth) {
  auto s = schedule(Cadence::kMonthly, "2023-01-01", "UTC");
  EXPECT_EQ(window_of(s, "2023-02-01"), (TimeWindow{utc(2023, 2, 1), utc(2023, 3, 1)}));
  EXPECT_EQ(window_of(s, "2024-02-01"), (TimeWindow{utc(2024, 2, 1), utc(2024, 3, 1)}));
  EXPECT_EQ(s.window(index_of(s, "2024-02-01")).end - utc(2024, 2, 1), hours(29 * 24));
  EXPECT_EQ(window_of(s, "2025-04-01").end, utc(2025, 5, 1));
  EXPECT_EQ(window_of(s, "2025-12-01").end, utc(2026, 1, 1));
  EXPECT_EQ(s.key(s.index_at(utc(2024, 2, 29, 23, 59))), "2024-02-01");
  auto mid = s.parse_key("2024-02-15");
  ASSERT_TRUE(std::holds_alternative<std::string>(mid));
  EXPECT_THAT(std::get<std::string>(mid), HasSubstr("months start on day 1"));
}

TEST(TimeWindowSchedule, MonthlyDayOffsetAndAStartMidMonth) {
  auto s = schedule(Cadence::kMonthly, "2024-01-31", "UTC", {.day_offset = 27});
  EXPECT_EQ(s.key(0), "2024-02-28");
  EXPECT_EQ(s.window(0), (TimeWindow{utc(2024, 2, 28), utc(2024, 3, 28)}));
  auto plain = schedule(Cadence::kMonthly, "2024-01-31", "UTC");
  EXPECT_EQ(plain.key(0), "2024-02-01");
  EXPECT_THROW(schedule(Cadence::kMonthly, "2024-01-01", "UTC", {.day_offset = 28}),
               PartitionError);
}

TEST(TimeWindowSchedule, WeeklyStartsOnTheDayOffsetWeekday) {
  // 2025-01-01 is a Wednesday; day_offset 1 is Monday.
  auto s = schedule(Cadence::kWeekly, "2025-01-01", "Europe/London", {.day_offset = 1});
  EXPECT_EQ(s.key(0), "2025-01-06");
  EXPECT_EQ(s.key(1), "2025-01-13");
  EXPECT_EQ(s.window(0), (TimeWindow{utc(2025, 1, 6), utc(2025, 1, 13)}));
  // The week holding the spring-forward Sunday is an hour short.
  EXPECT_EQ(window_of(s, "2025-03-24"), (TimeWindow{utc(2025, 3, 24), utc(2025, 3, 30, 23)}));
  auto tuesday = s.parse_key("2025-01-07");
  ASSERT_TRUE(std::holds_alternative<std::string>(tuesday));
  EXPECT_EQ(std::get<std::string>(tuesday),
            "is not the start of a weekly window: weeks start on Monday at 00:00");
  auto sundays = schedule(Cadence::kWeekly, "2025-01-05", "UTC");
  EXPECT_EQ(sundays.key(0), "2025-01-05");
}

TEST(TimeWindowSchedule, OffsetsMoveTheBoundaries) {
  auto s = schedule(Cadence::kDaily, "2025-01-01", "UTC", {.minute_offset = 30, .hour_offset = 6});
  EXPECT_EQ(s.window(0), (TimeWindow{utc(2025, 1, 1, 6, 30), utc(2025, 1, 2, 6, 30)}));
  EXPECT_EQ(s.key(s.index_at(utc(2025, 1, 2, 6, 29))), "2025-01-01");
  auto h = schedule(Cadence::kHourly, "2025-01-01", "UTC", {.minute_offset = 15});
  EXPECT_EQ(h.key(0), "2025-01-01-00:15");
  auto off_minute = h.parse_key("2025-01-01-01:00");
  ASSERT_TRUE(std::holds_alternative<std::string>(off_minute));
  EXPECT_THAT(std::get<std::string>(off_minute), HasSubstr("hours start at minute 15"));
}

TEST(TimeWindowSchedule, CountStopsAtNowAndAtTheEnd) {
  auto s = schedule(Cadence::kDaily, "2025-01-01", "UTC", {.end = "2025-01-10"});
  EXPECT_EQ(s.count(utc(2024, 12, 31)), 0);
  EXPECT_EQ(s.count(utc(2025, 1, 1, 23, 59)), 0);
  EXPECT_EQ(s.count(utc(2025, 1, 2)), 1);
  EXPECT_EQ(s.count(utc(2030, 1, 1)), 9);
  EXPECT_EQ(s.end_count(), 9);
  EXPECT_THROW(schedule(Cadence::kDaily, "2025-01-01", "UTC", {.end = "2025-01-01"}),
               PartitionError);
}

TEST(TimeWindowSchedule, SameGridIgnoresStartAndFormat) {
  auto a = schedule(Cadence::kDaily, "2025-01-01", "Europe/London");
  auto b = schedule(Cadence::kDaily, "2025-01-05", "Europe/London", {.format = "%Y%m%d"});
  EXPECT_TRUE(a.same_grid(b));
  EXPECT_EQ(b.shift_to(a), 4);
  EXPECT_EQ(a.shift_to(b), -4);
  EXPECT_FALSE(a.same_grid(schedule(Cadence::kDaily, "2025-01-01", "UTC")));
  EXPECT_FALSE(
      a.same_grid(schedule(Cadence::kDaily, "2025-01-01", "Europe/London", {.hour_offset = 1})));
  EXPECT_FALSE(a.same_grid(schedule(Cadence::kHourly, "2025-01-01", "Europe/London")));
}

TEST(TimeWindowSchedule, TenYearsOfHourlyKeysCountEveryRealHour) {
  auto s = schedule(Cadence::kHourly, "2015-01-01", "Europe/London");
  std::vector<std::string> keys;
  s.append_keys(0, s.count(utc(2025, 1, 1)), keys);
  EXPECT_EQ(keys.size(), 87672u);  // 3653 days
  EXPECT_EQ(keys.front(), "2015-01-01-00:00");
  EXPECT_EQ(keys.back(), "2024-12-31-23:00");
}

}  // namespace
}  // namespace cairn
