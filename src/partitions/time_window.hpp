#pragma once
// The calendar arithmetic of a time-window partitions definition (docs/partitions.md).
//
// Design note: window number i (0 = the first window starting at or after the definition's
// start; negative numbers are before it) is computed, never looked up, so that a key, its window
// and its number convert into each other in O(log z) (z: the zone's transitions, a binary search
// inside date/tz) without enumerating the keys:
//   - daily, weekly and monthly windows start at local boundaries B_i = the i-th local day, week
//     or month after the first, at the hour/minute offset; the window is [to_sys(B_i),
//     to_sys(B_i+1)). A daily window on a DST change therefore lasts 23 or 25 hours. A boundary
//     falling in a spring-forward gap starts at the moment the clocks jump.
//   - hourly windows are consecutive real hours from the first one: the skipped local hour of a
//     spring-forward day has no window, and the repeated local hour of a fall-back day has two,
//     the second keyed with kRepeatedHourSuffix ("2025-10-26-01:00-2nd").
// The inverse (time -> number) guesses from the local calendar and corrects by at most a step
// around DST changes. Rejected: a sorted table of all window starts (10 years of hourly
// windows is 87 600 entries per definition, rebuilt for every `now`).
//
// Keys are formatted and parsed by a small fixed-width formatter for %Y %m %d %H %M, not
// strftime: it is ~50x faster (keys() of 10 years of hourly windows in a few ms) and parsing a
// fixed-width format round-trips by construction.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/tz.h>

#include "cairn/partitions.hpp"

namespace cairn {

/// Appended to the key of the second of two hourly windows with the same local time (the
/// repeated hour of a fall-back day).
inline constexpr std::string_view kRepeatedHourSuffix = "-2nd";

/// A compiled key format: literal text and fixed-width fields.
class KeyFormat {
 public:
  enum class Field : char { kYear = 'Y', kMonth = 'm', kDay = 'd', kHour = 'H', kMinute = 'M' };
  struct Fields {
    int year = 0;
    unsigned month = 1, day = 1, hour = 0, minute = 0;
  };

  /// Throws PartitionError on an unsupported specifier, a character not allowed in keys, or a
  /// field given twice.
  static KeyFormat compile(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  bool has(Field field) const;
  void append(const Fields& fields, std::string& out) const;
  /// Fields absent from the format keep the values `defaults` gives them. False if `text` does
  /// not match the format exactly.
  bool parse(std::string_view text, Fields defaults, Fields& out) const;

 private:
  struct Token {
    Field field{};
    std::string literal;  // set for literal text; field is unused then
  };
  std::string pattern_;
  std::vector<Token> tokens_;
};

/// The windows of one time-window definition. Immutable; safe for concurrent reads.
class TimeWindowSchedule {
 public:
  /// Throws PartitionError naming the problem: unknown time zone, start or end that does not
  /// parse, offsets out of range, a key format that does not round-trip.
  static TimeWindowSchedule make(Cadence cadence, std::string_view start, std::string_view timezone,
                                 const TimeWindowOptions& options);

  Cadence cadence() const { return cadence_; }
  const std::string& timezone() const { return timezone_; }
  const std::string& format() const { return format_.pattern(); }
  /// "daily", "hourly", ...
  std::string_view cadence_name() const;

  /// Window number `i` (any i, also before the start or after the end).
  TimeWindow window(std::int64_t i) const;
  std::chrono::sys_seconds window_start(std::int64_t i) const;
  /// The number of the window containing `t` (negative before the first window).
  std::int64_t index_at(std::chrono::sys_seconds t) const;
  /// The key of window `i` (any i).
  std::string key(std::int64_t i) const;
  /// Appends the keys of windows [first, last) to `out`.
  void append_keys(std::int64_t first, std::int64_t last, std::vector<std::string>& out) const;
  /// The window number of `key`, or why it is not a window's key ("is not a date in format
  /// %Y-%m-%d", "is not the start of a weekly window: weeks start on Sunday"). Does not check
  /// the start or the end.
  std::variant<std::int64_t, std::string> parse_key(std::string_view key) const;

  /// The number of windows before the end option; nullopt when open-ended.
  std::optional<std::int64_t> end_count() const { return end_count_; }
  /// The number of windows that have ended by `now` (and lie before the end option).
  std::int64_t count(std::chrono::sys_seconds now) const;

  /// True when both cut time at the same boundaries (cadence, zone and offsets), whatever their
  /// start, end and key format: window numbers of one then map to the other by a constant shift.
  bool same_grid(const TimeWindowSchedule& other) const;
  /// The window number in `other` of this schedule's window 0; requires same_grid(other).
  std::int64_t shift_to(const TimeWindowSchedule& other) const;

  /// "daily from 2025-01-01 (Europe/London)", with "to LAST" when the definition ends.
  std::string describe() const;
  /// "daily partitions from 2025-01-01 to 2025-03-04 (Europe/London)" for the keys at `now`.
  std::string describe_range(std::chrono::sys_seconds now) const;
  /// `t` as local time in the schedule's zone, for messages ("2025-03-05 00:00 GMT").
  std::string local_text(std::chrono::sys_seconds t) const;

  bool operator==(const TimeWindowSchedule& other) const;

 private:
  using LocalSeconds = date::local_seconds;

  LocalSeconds boundary(std::int64_t i) const;  // daily, weekly, monthly
  std::int64_t local_guess(LocalSeconds local) const;
  std::chrono::sys_seconds to_sys(LocalSeconds local) const;
  KeyFormat::Fields fields_of(LocalSeconds local) const;
  KeyFormat::Fields field_defaults() const;
  bool is_repeated_hour(std::chrono::sys_seconds t, const date::sys_info& info) const;

  Cadence cadence_ = Cadence::kDaily;
  std::string timezone_;
  const date::time_zone* zone_ = nullptr;
  KeyFormat format_;
  TimeWindowOptions options_;
  std::chrono::minutes time_of_day_{0};  // hour and minute offsets
  date::local_days first_day_{};         // daily and weekly: the first window's day
  date::year_month first_month_{};       // monthly: the first window's month
  std::chrono::sys_seconds first_start_{};
  std::optional<std::int64_t> end_count_;
};

}  // namespace cairn
