#include "automation/cron.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "cairn/automation.hpp"

namespace cairn {
namespace {

using std::chrono::sys_seconds;

// Parses "2025-03-30 00:59:00" as UTC.
sys_seconds utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6) << text;
  return sys_seconds(
      date::sys_days{date::year{y} / static_cast<unsigned>(mo) / static_cast<unsigned>(d)} +
      std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s));
}

std::string utc_text(sys_seconds t) {
  return date::format("%F %T", t);
}

// The local wall-clock text of `t` in `zone`, with the UTC offset.
std::string local_text(sys_seconds t, const char* zone) {
  return date::format("%F %T %z", date::make_zoned(date::locate_zone(zone), t));
}

std::string next_utc(const char* cron, const std::string& after, const char* zone = "UTC") {
  return utc_text(CronExpression::parse(cron).next_after(utc(after), date::locate_zone(zone)));
}

std::string parse_error(const char* cron) {
  try {
    CronExpression::parse(cron);
  } catch (const ScheduleError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Cron, StarsStepsRangesAndLists) {
  EXPECT_EQ(next_utc("* * * * *", "2025-01-01 00:00:00"), "2025-01-01 00:01:00");
  EXPECT_EQ(next_utc("* * * * *", "2025-01-01 00:00:30"), "2025-01-01 00:01:00");
  EXPECT_EQ(next_utc("*/15 * * * *", "2025-01-01 00:16:00"), "2025-01-01 00:30:00");
  EXPECT_EQ(next_utc("10-20/5 * * * *", "2025-01-01 00:16:00"), "2025-01-01 00:20:00");
  EXPECT_EQ(next_utc("10-20/5 * * * *", "2025-01-01 00:20:00"), "2025-01-01 01:10:00");
  EXPECT_EQ(next_utc("5/20 * * * *", "2025-01-01 00:46:00"), "2025-01-01 01:05:00");
  EXPECT_EQ(next_utc("0 1,13 * * *", "2025-01-01 02:00:00"), "2025-01-01 13:00:00");
  EXPECT_EQ(next_utc("0 0 * 3-4 *", "2025-01-15 00:00:00"), "2025-03-01 00:00:00");
  EXPECT_EQ(next_utc("30 2 1 1 *", "2025-01-01 02:30:00"), "2026-01-01 02:30:00");
}

TEST(Cron, NamesAreCaseInsensitiveAndSundayIsZeroOrSeven) {
  // 2025-01-01 is a Wednesday.
  EXPECT_EQ(next_utc("0 9 * * MON-fri", "2025-01-03 10:00:00"), "2025-01-06 09:00:00");
  EXPECT_EQ(next_utc("0 0 * * 7", "2025-01-01 00:00:00"), "2025-01-05 00:00:00");
  EXPECT_EQ(next_utc("0 0 * * sun", "2025-01-01 00:00:00"), "2025-01-05 00:00:00");
  EXPECT_EQ(next_utc("0 0 * * 0", "2025-01-01 00:00:00"), "2025-01-05 00:00:00");
  EXPECT_EQ(next_utc("0 0 1 Jun,DEC *", "2025-01-01 00:00:00"), "2025-06-01 00:00:00");
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // The 13th, or any Friday: 2025-01-03 is a Friday, before the 13th.
  EXPECT_EQ(next_utc("0 0 13 * fri", "2025-01-01 00:00:00"), "2025-01-03 00:00:00");
  EXPECT_EQ(next_utc("0 0 13 * fri", "2025-01-11 00:00:00"), "2025-01-13 00:00:00");
  // A '*'-led day field is unrestricted: only Fridays.
  EXPECT_EQ(next_utc("0 0 * * fri", "2025-01-11 00:00:00"), "2025-01-17 00:00:00");
}

TEST(Cron, Macros) {
  EXPECT_EQ(next_utc("@hourly", "2025-01-01 00:00:00"), "2025-01-01 01:00:00");
  EXPECT_EQ(next_utc("@daily", "2025-01-01 00:00:00"), "2025-01-02 00:00:00");
  EXPECT_EQ(next_utc("@midnight", "2025-01-01 12:00:00"), "2025-01-02 00:00:00");
  EXPECT_EQ(next_utc("@weekly", "2025-01-01 00:00:00"), "2025-01-05 00:00:00");
  EXPECT_EQ(next_utc("@monthly", "2025-01-01 00:00:00"), "2025-02-01 00:00:00");
  EXPECT_EQ(next_utc("@yearly", "2025-01-01 00:00:00"), "2026-01-01 00:00:00");
  EXPECT_EQ(next_utc("@ANNUALLY", "2025-01-01 00:00:00"), "2026-01-01 00:00:00");
}

TEST(Cron, February29thOnlyInLeapYears) {
  EXPECT_EQ(next_utc("0 0 29 2 *", "2025-01-01 00:00:00"), "2028-02-29 00:00:00");
  EXPECT_EQ(next_utc("0 0 29 2 *", "2024-01-01 00:00:00"), "2024-02-29 00:00:00");
  // 2100 is not a leap year: eight years from 2096 to 2104.
  EXPECT_EQ(next_utc("0 0 29 2 *", "2096-02-29 00:00:00"), "2104-02-29 00:00:00");
}

TEST(Cron, The31stSkipsShortMonths) {
  EXPECT_EQ(next_utc("0 0 31 * *", "2025-01-31 00:00:00"), "2025-03-31 00:00:00");
  EXPECT_EQ(next_utc("0 0 31 * *", "2025-03-31 00:00:00"), "2025-05-31 00:00:00");
  EXPECT_EQ(next_utc("0 0 31 * *", "2025-05-31 00:00:00"), "2025-07-31 00:00:00");
  EXPECT_EQ(next_utc("0 0 31 * *", "2025-07-31 00:00:00"), "2025-08-31 00:00:00");
}

TEST(Cron, SpringForwardGapFiresOnceAtTheEndOfTheGap) {
  // Europe/London: 2025-03-30 01:00 GMT jumps to 02:00 BST (01:00-02:00 local does not exist).
  auto daily_0130 = CronExpression::parse("30 1 * * *");
  const auto* london = date::locate_zone("Europe/London");
  auto t = daily_0130.next_after(utc("2025-03-29 12:00:00"), london);
  EXPECT_EQ(local_text(t, "Europe/London"), "2025-03-30 02:00:00 +0100");
  t = daily_0130.next_after(t, london);
  EXPECT_EQ(local_text(t, "Europe/London"), "2025-03-31 01:30:00 +0100");

  // America/New_York: 2025-03-09 02:00 EST jumps to 03:00 EDT.
  const auto* new_york = date::locate_zone("America/New_York");
  auto t2 = CronExpression::parse("30 2 * * *").next_after(utc("2025-03-09 05:00:00"), new_york);
  EXPECT_EQ(local_text(t2, "America/New_York"), "2025-03-09 03:00:00 -0400");
  // Every 15 minutes: 02:00, 02:15, 02:30, 02:45 all fall in the gap and fire once, at 03:00,
  // and the next firing is 03:15.
  auto quarter = CronExpression::parse("*/15 * * * *");
  auto a = quarter.next_after(utc("2025-03-09 06:50:00"), new_york);  // 01:50 EST
  EXPECT_EQ(local_text(a, "America/New_York"), "2025-03-09 03:00:00 -0400");
  auto b = quarter.next_after(a, new_york);
  EXPECT_EQ(local_text(b, "America/New_York"), "2025-03-09 03:15:00 -0400");
}

TEST(Cron, FallBackRepeatFiresOnceAtTheFirstOccurrence) {
  // America/New_York: 2025-11-02 02:00 EDT falls back to 01:00 EST (01:00-02:00 twice).
  const auto* new_york = date::locate_zone("America/New_York");
  auto daily_0130 = CronExpression::parse("30 1 * * *");
  auto t = daily_0130.next_after(utc("2025-11-01 12:00:00"), new_york);
  EXPECT_EQ(local_text(t, "America/New_York"), "2025-11-02 01:30:00 -0400");
  t = daily_0130.next_after(t, new_york);
  EXPECT_EQ(local_text(t, "America/New_York"), "2025-11-03 01:30:00 -0500");

  // Hourly through the repeat: 01:00 EDT, then 02:00 EST (01:00 EST is not a second firing).
  auto hourly = CronExpression::parse("@hourly");
  auto h1 = hourly.next_after(utc("2025-11-02 04:30:00"), new_york);  // 00:30 EDT
  EXPECT_EQ(local_text(h1, "America/New_York"), "2025-11-02 01:00:00 -0400");
  auto h2 = hourly.next_after(h1, new_york);
  EXPECT_EQ(local_text(h2, "America/New_York"), "2025-11-02 02:00:00 -0500");

  // Europe/London: 2025-10-26 02:00 BST falls back to 01:00 GMT.
  const auto* london = date::locate_zone("Europe/London");
  auto l = CronExpression::parse("15 1 * * *").next_after(utc("2025-10-25 12:00:00"), london);
  EXPECT_EQ(local_text(l, "Europe/London"), "2025-10-26 01:15:00 +0100");
  // Asked from inside the second occurrence (01:05 GMT), it does not fire again that day.
  l = CronExpression::parse("15 1 * * *").next_after(utc("2025-10-26 01:05:00"), london);
  EXPECT_EQ(local_text(l, "Europe/London"), "2025-10-27 01:15:00 +0000");
}

TEST(Cron, ErrorsNameTheFieldAndPosition) {
  EXPECT_EQ(parse_error("0 25 * * *"),
            "cron '0 25 * * *': hour 25 at position 3 is out of range 0-23");
  EXPECT_EQ(parse_error("60 * * * *"),
            "cron '60 * * * *': minute 60 at position 1 is out of range 0-59");
  EXPECT_EQ(parse_error("0 0 0 * *"),
            "cron '0 0 0 * *': day-of-month 0 at position 5 is out of range 1-31");
  EXPECT_EQ(parse_error("0 0 1 13 *"),
            "cron '0 0 1 13 *': month 13 at position 7 is out of range 1-12");
  EXPECT_EQ(parse_error("0 0 * * 8"),
            "cron '0 0 * * 8': day-of-week 8 at position 9 is out of range 0-7");
  EXPECT_EQ(parse_error("0 0 * jxn *"),
            "cron '0 0 * jxn *': month 'jxn' at position 7 is not a number or a month name "
            "(jan-dec)");
  EXPECT_EQ(parse_error("0 0 * * funday"),
            "cron '0 0 * * funday': day-of-week 'funday' at position 9 is not a number or a day "
            "name (sun-sat)");
  EXPECT_EQ(parse_error("x * * * *"), "cron 'x * * * *': minute 'x' at position 1 is not a number");
  EXPECT_EQ(parse_error("*/0 * * * *"),
            "cron '*/0 * * * *': minute step 0 at position 3 is out of range 1-59");
  EXPECT_EQ(parse_error("0 10-5 * * *"),
            "cron '0 10-5 * * *': hour range 10-5 at position 3 goes backwards; write the "
            "smaller value first");
  EXPECT_EQ(parse_error("1,,2 * * * *"),
            "cron '1,,2 * * * *': minute: empty list item at position 3");
  EXPECT_EQ(parse_error("0 0 * *"),
            "cron '0 0 * *': expected 5 fields (minute hour day-of-month month day-of-week) or a "
            "macro such as @daily, got 4");
  EXPECT_EQ(parse_error("@fortnightly"),
            "cron '@fortnightly': unknown macro '@fortnightly' at position 1; use @hourly, "
            "@daily, @midnight, @weekly, @monthly, @yearly or @annually");
  EXPECT_EQ(parse_error("0 0 30 2 *"),
            "cron '0 0 30 2 *' never fires: no chosen month has the chosen day of the month");
  EXPECT_EQ(parse_error("0 0 31 4,6,9,11 *"),
            "cron '0 0 31 4,6,9,11 *' never fires: no chosen month has the chosen day of the "
            "month");
  // With the day of the week restricted too, the 30th of February is irrelevant: Mondays fire.
  EXPECT_EQ(parse_error("0 0 30 2 mon"), "no error");
}

TEST(Cron, NextAfterCrossesLongGapsBetweenFirings) {
  auto leap = CronExpression::parse("59 23 29 2 *");
  const auto* zone = date::locate_zone("Europe/London");
  auto t = utc("2000-03-01 00:00:00");
  for (int i = 0; i < 200; ++i) t = leap.next_after(t, zone);
  // The 200th leap day after 2000-03-01 (2100, 2200, 2300, 2500, ... are not leap years).
  EXPECT_EQ(date::format("%F %R", t), "2824-02-29 23:59");
}

}  // namespace
}  // namespace cairn
