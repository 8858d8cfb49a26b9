#include "partitions/time_window.hpp"

#include <exception>

#include "partitions/partition_key.hpp"

namespace cairn {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void append_digits(unsigned value, int width, std::string& out) {
  char buffer[4];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buffer, static_cast<std::size_t>(width));
}

constexpr std::string_view kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};

std::string two_digits(unsigned value) {
  std::string out;
  append_digits(value, 2, out);
  return out;
}

bool fields_valid(const KeyFormat::Fields& f) {
  return f.month >= 1 && f.month <= 12 && f.hour < 24 && f.minute < 60 &&
         date::year_month_day(date::year(f.year), date::month(f.month), date::day(f.day)).ok();
}

date::local_seconds local_of(const KeyFormat::Fields& f) {
  return date::local_days(date::year(f.year) / date::month(f.month) / date::day(f.day)) +
         hours(f.hour) + minutes(f.minute);
}

}  // namespace

KeyFormat KeyFormat::compile(std::string_view pattern) {
  KeyFormat format;
  format.pattern_ = std::string(pattern);
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    format.tokens_.push_back(Token{.field = {}, .literal = std::move(literal)});
    literal.clear();
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%') {
      if (!is_valid_partition_key(std::string_view(&c, 1))) {
        throw PartitionError("key format '" + format.pattern_ + "' contains '" + std::string(1, c) +
                             "', which partition keys cannot hold (allowed: letters, digits and "
                             "_ . : @ + -)");
      }
      literal += c;
      continue;
    }
    const char spec = i + 1 < pattern.size() ? pattern[++i] : '\0';
    if (spec != 'Y' && spec != 'm' && spec != 'd' && spec != 'H' && spec != 'M') {
      throw PartitionError("key format '" + format.pattern_ + "' uses %" +
                           (spec == '\0' ? std::string() : std::string(1, spec)) +
                           ", which partition keys do not support; use %Y %m %d %H and %M");
    }
    if (format.has(static_cast<Field>(spec))) {
      throw PartitionError("key format '" + format.pattern_ + "' uses %" + std::string(1, spec) +
                           " twice; give each field once");
    }
    flush();
    format.tokens_.push_back(Token{.field = static_cast<Field>(spec), .literal = {}});
  }
  flush();
  return format;
}

bool KeyFormat::has(Field field) const {
  for (const auto& token : tokens_) {
    if (token.literal.empty() && token.field == field) return true;
  }
  return false;
}

void KeyFormat::append(const Fields& f, std::string& out) const {
  for (const auto& token : tokens_) {
    if (!token.literal.empty()) {
      out += token.literal;
      continue;
    }
    switch (token.field) {
      case Field::kYear:
        append_digits(static_cast<unsigned>(f.year), 4, out);
        break;
      case Field::kMonth:
        append_digits(f.month, 2, out);
        break;
      case Field::kDay:
        append_digits(f.day, 2, out);
        break;
      case Field::kHour:
        append_digits(f.hour, 2, out);
        break;
      case Field::kMinute:
        append_digits(f.minute, 2, out);
        break;
    }
  }
}

bool KeyFormat::parse(std::string_view text, Fields defaults, Fields& out) const {
  out = defaults;
  std::size_t at = 0;
  for (const auto& token : tokens_) {
    if (!token.literal.empty()) {
      if (text.substr(at, token.literal.size()) != token.literal) return false;
      at += token.literal.size();
      continue;
    }
    const std::size_t width = token.field == Field::kYear ? 4 : 2;
    if (at + width > text.size()) return false;
    unsigned value = 0;
    for (std::size_t i = at; i < at + width; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    at += width;
    switch (token.field) {
      case Field::kYear:
        out.year = static_cast<int>(value);
        break;
      case Field::kMonth:
        out.month = value;
        break;
      case Field::kDay:
        out.day = value;
        break;
      case Field::kHour:
        out.hour = value;
        break;
      case Field::kMinute:
        out.minute = value;
        break;
    }
  }
  return at == text.size();
}

std::string_view TimeWindowSchedule::cadence_name() const {
  switch (cadence_) {
    case Cadence::kHourly:
      return "hourly";
    case Cadence::kDaily:
      return "daily";
    case Cadence::kWeekly:
      return "weekly";
    case Cadence::kMonthly:
      return "monthly";
  }
  return "";
}

TimeWindowSchedule TimeWindowSchedule::make(Cadence cadence, std::string_view start,
                                            std::string_view timezone,
                                            const TimeWindowOptions& options) {
  TimeWindowSchedule s;
  s.cadence_ = cadence;
  s.timezone_ = std::string(timezone);
  s.options_ = options;
  const std::string name(s.cadence_name());
  try {
    s.zone_ = date::locate_zone(s.timezone_);
  } catch (const std::exception&) {
    throw PartitionError("unknown time zone '" + s.timezone_ + "' for " + name +
                         " partitions; use an IANA name such as \"UTC\" or \"Europe/London\"");
  }

  auto out_of_range = [&](std::string_view option, int value, std::string_view range) {
    return PartitionError(name + " partitions: " + std::string(option) + " " +
                          std::to_string(value) + " is out of range; use " + std::string(range));
  };
  if (options.minute_offset < 0 || options.minute_offset > 59) {
    throw out_of_range("minute_offset", options.minute_offset, "0 to 59");
  }
  if (cadence == Cadence::kHourly && options.hour_offset != 0) {
    throw PartitionError("hour_offset does not apply to hourly partitions; remove it");
  }
  if (options.hour_offset < 0 || options.hour_offset > 23) {
    throw out_of_range("hour_offset", options.hour_offset, "0 to 23");
  }
  if ((cadence == Cadence::kHourly || cadence == Cadence::kDaily) && options.day_offset != 0) {
    throw PartitionError("day_offset does not apply to " + name +
                         " partitions (only weekly and monthly); remove it");
  }
  if (cadence == Cadence::kWeekly && (options.day_offset < 0 || options.day_offset > 6)) {
    throw out_of_range("day_offset", options.day_offset, "0 (Sunday) to 6 (Saturday)");
  }
  if (cadence == Cadence::kMonthly && (options.day_offset < 0 || options.day_offset > 27)) {
    throw out_of_range("day_offset", options.day_offset,
                       "0 to 27 (day 1 to 28 of the month, which every month has)");
  }
  s.time_of_day_ = hours(options.hour_offset) + minutes(options.minute_offset);

  const std::string pattern = !options.format.empty()       ? options.format
                              : cadence == Cadence::kHourly ? "%Y-%m-%d-%H:%M"
                                                            : "%Y-%m-%d";
  s.format_ = KeyFormat::compile(pattern);
  auto require = [&](KeyFormat::Field field, char spec) {
    if (s.format_.has(field)) return;
    throw PartitionError("key format '" + pattern + "' of " + name + " partitions has no %" +
                         std::string(1, spec) + ": two windows would get the same key; add %" +
                         std::string(1, spec));
  };
  require(KeyFormat::Field::kYear, 'Y');
  require(KeyFormat::Field::kMonth, 'm');
  if (cadence != Cadence::kMonthly) require(KeyFormat::Field::kDay, 'd');
  if (cadence == Cadence::kHourly) require(KeyFormat::Field::kHour, 'H');

  // A start or end is given in the key format or as YYYY-MM-DD[-HH:MM]; absent fields are the
  // earliest possible.
  auto parse_time = [&](std::string_view text, std::string_view what) {
    const KeyFormat::Fields earliest{};
    KeyFormat::Fields f;
    static const KeyFormat with_time = KeyFormat::compile("%Y-%m-%d-%H:%M");
    static const KeyFormat date_only = KeyFormat::compile("%Y-%m-%d");
    if ((s.format_.parse(text, earliest, f) || with_time.parse(text, earliest, f) ||
         date_only.parse(text, earliest, f)) &&
        fields_valid(f)) {
      return local_of(f);
    }
    throw PartitionError(std::string(what) + " '" + std::string(text) + "' of " + name +
                         " partitions is not a date in format " + pattern +
                         " (or YYYY-MM-DD, YYYY-MM-DD-HH:MM)");
  };
  const date::local_seconds first = parse_time(start, "start");
  switch (cadence) {
    case Cadence::kHourly: {
      auto boundary = date::floor<hours>(first) + minutes(options.minute_offset);
      if (boundary < first) boundary += hours(1);
      s.first_start_ = s.to_sys(boundary);
      break;
    }
    case Cadence::kDaily:
    case Cadence::kWeekly: {
      auto day = date::floor<days>(first);
      if (cadence == Cadence::kWeekly) {
        const auto weekday = static_cast<int>(date::weekday(day).c_encoding());
        day += days((options.day_offset - weekday + 7) % 7);
      }
      if (day + s.time_of_day_ < first) day += days(cadence == Cadence::kWeekly ? 7 : 1);
      s.first_day_ = day;
      s.first_start_ = s.to_sys(s.boundary(0));
      break;
    }
    case Cadence::kMonthly: {
      const date::year_month_day ymd(date::floor<days>(first));
      s.first_month_ = ymd.year() / ymd.month();
      if (s.boundary(0) < first) s.first_month_ += date::months(1);
      s.first_start_ = s.to_sys(s.boundary(0));
      break;
    }
  }

  if (!options.end.empty()) {
    const std::int64_t n = s.index_at(s.to_sys(parse_time(options.end, "end")));
    if (n <= 0) {
      throw PartitionError("end '" + options.end + "' of " + name +
                           " partitions is not after the end of the first window (" + s.key(0) +
                           ", ending " + s.local_text(s.window_start(1)) +
                           "); move the end later or the start earlier");
    }
    s.end_count_ = n;
  }

  // The required fields make keys unique; this catches what they cannot (a format whose literal
  // text swallows a field's digits is impossible, but a zone whose offsets are not whole hours
  // can put hourly windows off the format's minute).
  for (std::int64_t i : {std::int64_t{0}, std::int64_t{1}}) {
    auto parsed = s.parse_key(s.key(i));
    if (!std::holds_alternative<std::int64_t>(parsed) || std::get<std::int64_t>(parsed) != i) {
      throw PartitionError("key format '" + pattern + "' of " + name +
                           " partitions does not round-trip: key '" + s.key(i) +
                           "' does not name its own window; add %M or %H");
    }
  }
  return s;
}

date::local_seconds TimeWindowSchedule::boundary(std::int64_t i) const {
  switch (cadence_) {
    case Cadence::kWeekly:
      return first_day_ + days(7 * i) + time_of_day_;
    case Cadence::kMonthly: {
      const date::year_month month = first_month_ + date::months(static_cast<int>(i));
      const auto day = date::day(static_cast<unsigned>(options_.day_offset + 1));
      return date::local_days(month / day) + time_of_day_;
    }
    default:
      return first_day_ + days(i) + time_of_day_;
  }
}

sys_seconds TimeWindowSchedule::to_sys(date::local_seconds local) const {
  return zone_->to_sys(local, date::choose::earliest);
}

sys_seconds TimeWindowSchedule::window_start(std::int64_t i) const {
  if (cadence_ == Cadence::kHourly) return first_start_ + hours(i);
  return to_sys(boundary(i));
}

TimeWindow TimeWindowSchedule::window(std::int64_t i) const {
  return TimeWindow{window_start(i), window_start(i + 1)};
}

std::int64_t TimeWindowSchedule::local_guess(date::local_seconds local) const {
  const auto day = date::floor<days>(local - time_of_day_);
  switch (cadence_) {
    case Cadence::kWeekly:
      return floor_div((day - first_day_).count(), 7);
    case Cadence::kMonthly: {
      const date::year_month_day ymd(day);
      std::int64_t months = (int(ymd.year()) - int(first_month_.year())) * 12 +
                            (static_cast<int>(unsigned(ymd.month())) -
                             static_cast<int>(unsigned(first_month_.month())));
      if (unsigned(ymd.day()) < static_cast<unsigned>(options_.day_offset + 1)) --months;
      return months;
    }
    default:
      return (day - first_day_).count();
  }
}

std::int64_t TimeWindowSchedule::index_at(sys_seconds t) const {
  if (cadence_ == Cadence::kHourly) return floor_div((t - first_start_).count(), 3600);
  // The local calendar is off by at most one window where DST moves a boundary.
  std::int64_t i = local_guess(zone_->to_local(t));
  while (window_start(i) > t) --i;
  while (window_start(i + 1) <= t) ++i;
  return i;
}

KeyFormat::Fields TimeWindowSchedule::fields_of(date::local_seconds local) const {
  const auto day = date::floor<days>(local);
  const date::year_month_day ymd(day);
  const date::hh_mm_ss<seconds> time(local - day);
  return KeyFormat::Fields{.year = int(ymd.year()),
                           .month = unsigned(ymd.month()),
                           .day = unsigned(ymd.day()),
                           .hour = static_cast<unsigned>(time.hours().count()),
                           .minute = static_cast<unsigned>(time.minutes().count())};
}

KeyFormat::Fields TimeWindowSchedule::field_defaults() const {
  return KeyFormat::Fields{
      .year = 0,
      .month = 1,
      .day = static_cast<unsigned>(cadence_ == Cadence::kMonthly ? options_.day_offset + 1 : 1),
      .hour = static_cast<unsigned>(options_.hour_offset),
      .minute = static_cast<unsigned>(options_.minute_offset)};
}

bool TimeWindowSchedule::is_repeated_hour(sys_seconds t, const date::sys_info& info) const {
  if (t - info.begin >= hours(24)) return false;
  const date::sys_info before = zone_->get_info(info.begin - seconds(1));
  return before.offset > info.offset && t - info.begin < before.offset - info.offset;
}

std::string TimeWindowSchedule::key(std::int64_t i) const {
  std::vector<std::string> out;
  append_keys(i, i + 1, out);
  return std::move(out.front());
}

void TimeWindowSchedule::append_keys(std::int64_t first, std::int64_t last,
                                     std::vector<std::string>& out) const {
  if (last <= first) return;
  out.reserve(out.size() + static_cast<std::size_t>(last - first));
  if (cadence_ != Cadence::kHourly) {
    for (std::int64_t i = first; i < last; ++i) {
      std::string key;
      key.reserve(format_.pattern().size() + 8);
      format_.append(fields_of(boundary(i)), key);
      out.push_back(std::move(key));
    }
    return;
  }
  // One zone lookup per offset period, not per hour.
  sys_seconds t = window_start(first);
  date::sys_info info = zone_->get_info(t);
  for (std::int64_t i = first; i < last; ++i, t += hours(1)) {
    if (t >= info.end) info = zone_->get_info(t);
    std::string key;
    key.reserve(format_.pattern().size() + 8 + kRepeatedHourSuffix.size());
    format_.append(fields_of(date::local_seconds((t + info.offset).time_since_epoch())), key);
    if (is_repeated_hour(t, info)) key += kRepeatedHourSuffix;
    out.push_back(std::move(key));
  }
}

std::variant<std::int64_t, std::string> TimeWindowSchedule::parse_key(std::string_view key) const {
  bool repeated = false;
  if (cadence_ == Cadence::kHourly && key.ends_with(kRepeatedHourSuffix)) {
    repeated = true;
    key.remove_suffix(kRepeatedHourSuffix.size());
  }
  KeyFormat::Fields f;
  if (!format_.parse(key, field_defaults(), f) || !fields_valid(f)) {
    return "is not a date in format " + format_.pattern();
  }
  const date::local_seconds local = local_of(f);
  if (cadence_ == Cadence::kHourly) {
    const date::local_info info = zone_->get_info(local);
    if (info.result == date::local_info::nonexistent) {
      return "is not a time in " + timezone_ + ": the clocks go forward past it";
    }
    if (repeated && info.result != date::local_info::ambiguous) {
      return "ends in " + std::string(kRepeatedHourSuffix) +
             ", which only the second of two hours with the same local time has (when the "
             "clocks go back)";
    }
    const auto offset = repeated ? info.second.offset : info.first.offset;
    const auto since_first = (sys_seconds(local.time_since_epoch()) - offset) - first_start_;
    if (since_first.count() % 3600 != 0) {
      return "is not the start of an hourly window: hours start at minute " +
             two_digits(static_cast<unsigned>(options_.minute_offset));
    }
    return since_first.count() / 3600;
  }
  const std::int64_t i = local_guess(local);
  if (boundary(i) == local) return i;
  switch (cadence_) {
    case Cadence::kWeekly:
      return "is not the start of a weekly window: weeks start on " +
             std::string(kWeekdays[options_.day_offset]) + " at " +
             two_digits(static_cast<unsigned>(options_.hour_offset)) + ":" +
             two_digits(static_cast<unsigned>(options_.minute_offset));
    case Cadence::kMonthly:
      return "is not the start of a monthly window: months start on day " +
             std::to_string(options_.day_offset + 1) + " at " +
             two_digits(static_cast<unsigned>(options_.hour_offset)) + ":" +
             two_digits(static_cast<unsigned>(options_.minute_offset));
    default:
      return "is not the start of a daily window: days start at " +
             two_digits(static_cast<unsigned>(options_.hour_offset)) + ":" +
             two_digits(static_cast<unsigned>(options_.minute_offset));
  }
}

std::int64_t TimeWindowSchedule::count(sys_seconds now) const {
  std::int64_t n = std::max<std::int64_t>(0, index_at(now));
  if (end_count_) n = std::min(n, *end_count_);
  return n;
}

bool TimeWindowSchedule::same_grid(const TimeWindowSchedule& other) const {
  if (cadence_ != other.cadence_ || zone_ != other.zone_) return false;
  if (cadence_ == Cadence::kHourly) return (first_start_ - other.first_start_).count() % 3600 == 0;
  return time_of_day_ == other.time_of_day_ && options_.day_offset == other.options_.day_offset;
}

std::int64_t TimeWindowSchedule::shift_to(const TimeWindowSchedule& other) const {
  return other.index_at(first_start_);
}

std::string TimeWindowSchedule::describe() const {
  std::string text = std::string(cadence_name()) + " from " + key(0);
  if (end_count_) text += " to " + key(*end_count_ - 1);
  return text + " (" + timezone_ + ")";
}

std::string TimeWindowSchedule::describe_range(sys_seconds now) const {
  const std::int64_t n = count(now);
  if (n == 0) {
    return std::string(cadence_name()) + " partitions starting " + key(0) + " (" + timezone_ +
           "), none of which has ended yet (the first ends " + local_text(window_start(1)) + ")";
  }
  return std::string(cadence_name()) + " partitions from " + key(0) + " to " + key(n - 1) + " (" +
         timezone_ + ")";
}

std::string TimeWindowSchedule::local_text(sys_seconds t) const {
  return date::format("%Y-%m-%d %H:%M %Z", date::make_zoned(zone_, t));
}

bool TimeWindowSchedule::operator==(const TimeWindowSchedule& other) const {
  return cadence_ == other.cadence_ && zone_ == other.zone_ &&
         format_.pattern() == other.format_.pattern() && time_of_day_ == other.time_of_day_ &&
         options_.day_offset == other.options_.day_offset && first_start_ == other.first_start_ &&
         end_count_ == other.end_count_;
}

}  // namespace cairn
