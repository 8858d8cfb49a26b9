#pragma once
// Cron expressions (docs/automation.md, "Cron syntax") and their firing times in a time zone.
//
// Design note: each field is a bit set of the values it allows, so matching a value is one bit
// test. next_after() walks the local calendar day by day (skipping whole months that do not
// match), and only on a matching day walks the matching hours and minutes; a firing time is at
// most a few years away (Feb 29 with day-of-week unrestricted), so the walk is a few thousand
// cheap steps in the worst case and usually one. Rejected: scanning minute by minute (half a
// million steps per year), and converting each candidate to UTC before matching (DST makes the
// UTC grid irregular; matching is defined on the wall clock).
//
// DST: a local firing time that does not exist (skipped by spring-forward) fires at the first
// instant after the gap; a local time that occurs twice (fall-back) fires at its first
// occurrence only. Several skipped times thus collapse into one firing at the end of the gap.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace cairn {

/// A parsed five-field cron expression (minute hour day-of-month month day-of-week) or macro.
///
/// @code
///   auto cron = cairn::CronExpression::parse("30 2 * * mon-fri");
///   auto next = cron.next_after(now, date::locate_zone("Europe/London"));
/// @endcode
class CronExpression {
 public:
  /// Parses `text`. Throws ScheduleError naming the field and the character position of the
  /// problem, e.g. "cron '0 25 * * *': hour 25 at position 3 is out of range 0-23", or saying
  /// the expression never fires ("0 0 30 2 *").
  static CronExpression parse(std::string_view text);

  /// The first firing time strictly after `t`, with the fields read on the wall clock of `tz`.
  std::chrono::sys_seconds next_after(std::chrono::sys_seconds t, const date::time_zone* tz) const;

  const std::string& text() const { return text_; }

  /// Whether the local calendar day matches the day-of-month, month and day-of-week fields
  /// (when both day fields are restricted, either one matching is enough, as in Vixie cron).
  bool day_matches(unsigned month, unsigned day_of_month, unsigned weekday) const;

 private:
  CronExpression() = default;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bits 1-31
  std::bitset<13> months_;         // bits 1-12
  std::bitset<7> weekdays_;        // 0 = Sunday
  bool dom_restricted_ = false;    // the field does not start with '*'
  bool dow_restricted_ = false;
};

/// The first firing time after `after` of the cron expression `cron` read in time zone
/// `timezone` (an on_cron automation condition's fields); the automation evaluator's
/// NextCronTime. Throws ScheduleError on an invalid expression or time zone.
std::chrono::sys_seconds next_cron_time(std::string_view cron, std::string_view timezone,
                                        std::chrono::sys_seconds after);

/// The IANA time zone `name`; throws ScheduleError naming `what` (the schedule) if unknown.
const date::time_zone* locate_time_zone(std::string_view name, std::string_view what);

}  // namespace cairn
