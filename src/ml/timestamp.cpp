// Timestamps and type names. The parser is hand-written rather than built on std::chrono::parse
// (not in g++ 12) or date::parse (a stream per call): CSV type inference calls it on every cell
// of a candidate column, so it must cost a few nanoseconds and never allocate.

#include <array>
#include <cstdio>
#include <string>

#include "cairn/ml/table.hpp"

namespace cairn::ml {

namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

constexpr std::array<std::string_view, 5> kTypeNames = {"int64", "float64", "string", "bool",
                                                        "timestamp"};

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// Reads exactly `n` ASCII digits at `pos`; false if any is not a digit or the text is short.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned digit = static_cast<unsigned char>(s[pos + i]) - static_cast<unsigned>('0');
    if (digit > 9) return false;
    v = v * 10 + static_cast<int>(digit);
  }
  out = v;
  return true;
}

}  // namespace

std::string_view to_string(DataType type) {
  return kTypeNames[static_cast<std::size_t>(type)];
}

DataType parse_data_type(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<DataType>(i);
  }
  throw TableError("unknown data type '" + std::string(name) +
                   "'; use one of int64, float64, string, bool, timestamp");
}

std::optional<Timestamp> parse_timestamp(std::string_view s) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (s.size() < 10 || !read_digits(s, 0, 4, year) || s[4] != '-' || !read_digits(s, 5, 2, month) ||
      s[7] != '-' || !read_digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  std::int64_t micros = days_from_civil(year, month, day) * kMicrosPerDay;
  if (s.size() == 10) return micros;

  int hour = 0;
  int minute = 0;
  int second = 0;
  if ((s[10] != 'T' && s[10] != ' ') || !read_digits(s, 11, 2, hour) || s.size() < 16 ||
      s[13] != ':' || !read_digits(s, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!read_digits(s, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      std::size_t digits = 0;
      std::int64_t fraction = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        // Beyond microseconds the digits are accepted and truncated (nanosecond exports).
        if (digits < 6) fraction = fraction * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (std::size_t i = digits; i < 6; ++i) fraction *= 10;
      micros += fraction;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  micros += ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond;

  if (pos == s.size()) return micros;
  if (s[pos] == 'Z' && pos + 1 == s.size()) return micros;
  if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
    int off_h = 0;
    int off_m = 0;
    if (!read_digits(s, pos + 1, 2, off_h) || !read_digits(s, pos + 4, 2, off_m) || off_h > 23 ||
        off_m > 59) {
      return std::nullopt;
    }
    std::int64_t offset = (off_h * 60 + off_m) * 60 * kMicrosPerSecond;
    return s[pos] == '+' ? micros - offset : micros + offset;
  }
  return std::nullopt;
}

std::string format_timestamp(Timestamp t) {
  std::int64_t days = t / kMicrosPerDay;
  std::int64_t rest = t % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  Civil c = civil_from_days(days);
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(c.year),
                        c.month, c.day);
  if (rest == 0) return std::string(buf, static_cast<std::size_t>(n));
  std::int64_t seconds = rest / kMicrosPerSecond;
  std::int64_t fraction = rest % kMicrosPerSecond;
  n += std::snprintf(buf + n, sizeof(buf) - static_cast<std::size_t>(n), "T%02d:%02d:%02d",
                     static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                     static_cast<int>(seconds % 60));
  if (fraction != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<std::size_t>(n), ".%06d",
                       static_cast<int>(fraction));
  }
  buf[n++] = 'Z';
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace cairn::ml
