#include "automation/cron.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "cairn/automation.hpp"

namespace cairn {
namespace {

struct FieldSpec {
  const char* name;
  unsigned min;
  unsigned max;
  const char* const* names;  // names[i] is the value min + i; nullptr: numbers only
  unsigned name_count;
  const char* names_hint;
};

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 7> kWeekdayNames = {"sun", "mon", "tue", "wed",
                                                      "thu", "fri", "sat"};

// Day-of-week accepts 7 for Sunday; it is folded onto 0 after parsing.
constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, nullptr, 0, ""},
    {"hour", 0, 23, nullptr, 0, ""},
    {"day-of-month", 1, 31, nullptr, 0, ""},
    {"month", 1, 12, kMonthNames.data(), 12, " or a month name (jan-dec)"},
    {"day-of-week", 0, 7, kWeekdayNames.data(), 7, " or a day name (sun-sat)"},
}};

struct Macro {
  const char* name;
  const char* expansion;
};
constexpr std::array<Macro, 7> kMacros = {{{"@hourly", "0 * * * *"},
                                           {"@daily", "0 0 * * *"},
                                           {"@midnight", "0 0 * * *"},
                                           {"@weekly", "0 0 * * 0"},
                                           {"@monthly", "0 0 1 * *"},
                                           {"@yearly", "0 0 1 1 *"},
                                           {"@annually", "0 0 1 1 *"}}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class FieldParser {
 public:
  FieldParser(std::string_view text, const FieldSpec& spec) : text_(text), spec_(spec) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw ScheduleError("cron '" + std::string(text_) + "': " + problem);
  }

  // Parses the field at [begin, begin + field.size()) of the expression into `bits` (bit v set
  // when value v is allowed).
  std::vector<bool> parse(std::string_view field, std::size_t begin) const {
    std::vector<bool> bits(spec_.max + 1, false);
    std::size_t item_begin = 0;
    while (true) {
      std::size_t comma = field.find(',', item_begin);
      std::string_view item =
          field.substr(item_begin, comma == std::string_view::npos ? std::string_view::npos
                                                                   : comma - item_begin);
      parse_item(item, begin + item_begin, bits);
      if (comma == std::string_view::npos) break;
      item_begin = comma + 1;
    }
    return bits;
  }

 private:
  void parse_item(std::string_view item, std::size_t pos, std::vector<bool>& bits) const {
    if (item.empty()) fail(std::string(spec_.name) + ": empty list item at position " + at(pos));
    unsigned step = 1;
    std::string_view range = item;
    bool has_step = false;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      has_step = true;
      std::string_view step_text = item.substr(slash + 1);
      std::size_t step_pos = pos + slash + 1;
      step = number(step_text, step_pos, false);
      if (step == 0 || step > spec_.max) {
        fail(std::string(spec_.name) + " step " + std::string(step_text) + " at position " +
             at(step_pos) + " is out of range 1-" + std::to_string(spec_.max));
      }
      range = item.substr(0, slash);
    }
    unsigned first = spec_.min;
    unsigned last = spec_.max;
    if (range == "*") {
      // every value
    } else if (auto dash = range.find('-'); dash != std::string_view::npos) {
      first = value(range.substr(0, dash), pos);
      last = value(range.substr(dash + 1), pos + dash + 1);
      if (first > last) {
        fail(std::string(spec_.name) + " range " + std::string(range) + " at position " + at(pos) +
             " goes backwards; write the smaller value first");
      }
    } else {
      first = value(range, pos);
      // "5/15" means from 5 to the end of the field by 15, as in Vixie cron.
      last = has_step ? spec_.max : first;
    }
    for (unsigned v = first; v <= last; v += step) bits[v] = true;
  }

  unsigned value(std::string_view text, std::size_t pos) const {
    if (spec_.names != nullptr && !text.empty() &&
        std::isalpha(static_cast<unsigned char>(text[0]))) {
      std::string name = lower(text);
      for (unsigned i = 0; i < spec_.name_count; ++i) {
        if (name == spec_.names[i]) return spec_.min + i;
      }
      fail(std::string(spec_.name) + " '" + std::string(text) + "' at position " + at(pos) +
           " is not a number" + spec_.names_hint);
    }
    unsigned v = number(text, pos, true);
    if (v < spec_.min || v > spec_.max) {
      fail(std::string(spec_.name) + " " + std::string(text) + " at position " + at(pos) +
           " is out of range " + std::to_string(spec_.min) + "-" + std::to_string(spec_.max));
    }
    return v;
  }

  unsigned number(std::string_view text, std::size_t pos, bool value_hint) const {
    bool ok = !text.empty() && text.size() <= 4;
    unsigned v = 0;
    for (char c : text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        ok = false;
        break;
      }
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (!ok) {
      fail(std::string(spec_.name) + " '" + std::string(text) + "' at position " + at(pos) +
           " is not a number" + (value_hint ? spec_.names_hint : ""));
    }
    return v;
  }

  static std::string at(std::size_t pos) { return std::to_string(pos + 1); }

  std::string_view text_;
  const FieldSpec& spec_;
};

constexpr std::array<unsigned, 13> kMaxDaysInMonth = {0,  31, 29, 31, 30, 31, 30,
                                                      31, 31, 30, 31, 30, 31};

}  // namespace

CronExpression CronExpression::parse(std::string_view text) {
  CronExpression cron;
  cron.text_ = std::string(text);
  std::string_view body = text;
  std::string expansion;
  std::size_t first = body.find_first_not_of(" \t");
  if (first != std::string_view::npos && body[first] == '@') {
    std::size_t end = body.find_last_not_of(" \t");
    std::string macro = lower(body.substr(first, end - first + 1));
    for (const auto& m : kMacros) {
      if (macro == m.name) expansion = m.expansion;
    }
    if (expansion.empty()) {
      throw ScheduleError("cron '" + cron.text_ + "': unknown macro '" +
                          std::string(body.substr(first, end - first + 1)) + "' at position " +
                          std::to_string(first + 1) +
                          "; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or "
                          "@annually");
    }
    body = expansion;
  }

  std::vector<std::pair<std::string_view, std::size_t>> fields;  // text, position in `text`
  std::size_t i = 0;
  while (i < body.size()) {
    if (body[i] == ' ' || body[i] == '\t') {
      ++i;
      continue;
    }
    std::size_t end = body.find_first_of(" \t", i);
    if (end == std::string_view::npos) end = body.size();
    fields.emplace_back(body.substr(i, end - i), i);
    i = end;
  }
  if (fields.size() != 5) {
    throw ScheduleError("cron '" + cron.text_ + "': expected 5 fields (minute hour day-of-month " +
                        "month day-of-week) or a macro such as @daily, got " +
                        std::to_string(fields.size()));
  }

  std::array<std::vector<bool>, 5> bits;
  for (std::size_t f = 0; f < 5; ++f) {
    // Positions are reported in the text as written; a macro's expansion cannot fail.
    bits[f] = FieldParser(cron.text_, kFields[f]).parse(fields[f].first, fields[f].second);
  }
  for (unsigned v = 0; v < 60; ++v) cron.minutes_[v] = bits[0][v];
  for (unsigned v = 0; v < 24; ++v) cron.hours_[v] = bits[1][v];
  for (unsigned v = 1; v <= 31; ++v) cron.days_of_month_[v] = bits[2][v];
  for (unsigned v = 1; v <= 12; ++v) cron.months_[v] = bits[3][v];
  for (unsigned v = 0; v <= 6; ++v) cron.weekdays_[v] = bits[4][v];
  if (bits[4][7]) cron.weekdays_[0] = true;
  cron.dom_restricted_ = fields[2].first.front() != '*';
  cron.dow_restricted_ = fields[4].first.front() != '*';

  // With day-of-week unrestricted only the day-of-month and month fields decide; if no chosen
  // month has any chosen day, the expression would never fire ("0 0 30 2 *").
  if (!(cron.dom_restricted_ && cron.dow_restricted_)) {
    bool possible = false;
    for (unsigned m = 1; m <= 12 && !possible; ++m) {
      if (!cron.months_[m]) continue;
      for (unsigned d = 1; d <= kMaxDaysInMonth[m] && !possible; ++d) {
        possible = cron.days_of_month_[d];
      }
    }
    if (!possible) {
      throw ScheduleError("cron '" + cron.text_ +
                          "' never fires: no chosen month has the chosen day of the month");
    }
  }
  return cron;
}

bool CronExpression::day_matches(unsigned month, unsigned day_of_month, unsigned weekday) const {
  if (!months_[month]) return false;
  bool dom = days_of_month_[day_of_month];
  bool dow = weekdays_[weekday];
  if (dom_restricted_ && dow_restricted_) return dom || dow;
  return dom && dow;
}

std::chrono::sys_seconds CronExpression::next_after(std::chrono::sys_seconds t,
                                                    const date::time_zone* tz) const {
  using namespace std::chrono;
  auto local = tz->to_local(t);
  auto day = date::floor<date::days>(local);
  // The first candidate minute: the minute after t's local minute.
  auto from = date::floor<minutes>(local) + minutes(1);
  // The longest wait between firings is under 9 years (Feb 29 across a century year); the
  // bound only guards the invariant that parse() rejected expressions that never fire.
  const auto limit = day + date::days(366 * 9);
  while (day < limit) {
    date::year_month_day ymd{day};
    unsigned month = static_cast<unsigned>(ymd.month());
    if (!months_[month]) {
      auto next_month = date::year_month{ymd.year(), ymd.month()} + date::months(1);
      day = date::local_days{next_month / 1};
      continue;
    }
    unsigned weekday = date::weekday{day}.c_encoding();
    if (day_matches(month, static_cast<unsigned>(ymd.day()), weekday)) {
      for (unsigned h = 0; h < 24; ++h) {
        if (!hours_[h]) continue;
        for (unsigned m = 0; m < 60; ++m) {
          if (!minutes_[m]) continue;
          auto candidate = day + hours(h) + minutes(m);
          if (candidate < from) continue;
          auto info = tz->get_info(candidate);
          sys_seconds fire;
          switch (info.result) {
            case date::local_info::unique:
            case date::local_info::ambiguous:  // the first occurrence
              fire = sys_seconds{candidate.time_since_epoch()} - info.first.offset;
              break;
            case date::local_info::nonexistent:  // the first instant after the gap
              fire = info.first.end;
              break;
          }
          if (fire > t) return fire;
        }
      }
    }
    day += date::days(1);
  }
  throw ScheduleError("cron '" + text_ +
                      "' has no firing time within 9 years after the given time");
}

std::chrono::sys_seconds next_cron_time(std::string_view cron, std::string_view timezone,
                                        std::chrono::sys_seconds after) {
  return CronExpression::parse(cron).next_after(
      after, locate_time_zone(timezone, "cron '" + std::string(cron) + "'"));
}

const date::time_zone* locate_time_zone(std::string_view name, std::string_view what) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    throw ScheduleError(std::string(what) + ": unknown time zone '" + std::string(name) +
                        "'; use an IANA name such as 'UTC' or 'Europe/London'");
  }
}

}  // namespace cairn
