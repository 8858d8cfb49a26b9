#include "features.hpp"

#include <cairn/error.hpp>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numbers>
#include <optional>
#include <unordered_map>

#include "chicago_data.hpp"

namespace demand_forecast {

namespace {

using cairn::ml::Column;
using cairn::ml::ColumnSchema;
using cairn::ml::DataType;
using cairn::ml::Table;
using cairn::ml::Timestamp;
namespace chr = std::chrono;

chr::sys_days day_of(Timestamp t) {
  return chr::floor<chr::days>(chr::sys_time<chr::microseconds>(chr::microseconds(t)));
}

Timestamp timestamp_of(chr::sys_days day) {
  return chr::duration_cast<chr::microseconds>(day.time_since_epoch()).count();
}

constexpr const char* kWeekdayColumns[] = {"dow_mon", "dow_tue", "dow_wed", "dow_thu",
                                           "dow_fri", "dow_sat", "dow_sun"};

// Ridership by day number, from the `date` and `ridership` columns.
std::unordered_map<std::int64_t, double> ridership_by_day(const Table& ridership) {
  const Column& dates = ridership.column(kDateColumn);
  const Column& values = ridership.column(kTargetColumn);
  std::unordered_map<std::int64_t, double> by_day;
  by_day.reserve(ridership.num_rows());
  for (std::size_t row = 0; row < ridership.num_rows(); ++row) {
    if (dates.is_null(row) || values.is_null(row)) continue;
    const auto day = day_of(dates.int64_values()[row]).time_since_epoch().count();
    if (!by_day.emplace(day, values.number_at(row)).second) {
      throw cairn::Error("the ridership table has two rows for " +
                         cairn::ml::format_timestamp(dates.int64_values()[row]) +
                         "; give one row per day");
    }
  }
  return by_day;
}

}  // namespace

bool is_holiday(chr::year_month_day day) {
  using namespace std::chrono;
  const year y = day.year();
  const sys_days d{day};
  const sys_days thanksgiving{y / November / Thursday[4]};
  return day == y / January / 1 || d == sys_days{y / May / Monday[last]} || day == y / July / 4 ||
         d == sys_days{y / September / Monday[1]} || d == thanksgiving ||
         d == thanksgiving + days{1} || day == y / December / 24 || day == y / December / 25 ||
         day == y / December / 31;
}

const std::vector<ColumnSchema>& feature_columns() {
  static const std::vector<ColumnSchema> columns = [] {
    std::vector<ColumnSchema> c{{"day_of_week", DataType::kInt64, false},
                                {"month", DataType::kInt64, false},
                                {"doy_sin", DataType::kFloat64, false},
                                {"doy_cos", DataType::kFloat64, false}};
    for (const char* name : kWeekdayColumns) c.push_back({name, DataType::kBool, false});
    c.push_back({"is_holiday", DataType::kBool, false});
    c.push_back({"holiday_7_days_ago", DataType::kBool, false});
    c.push_back({"lag_7", DataType::kFloat64, false});
    c.push_back({"lag_14", DataType::kFloat64, false});
    c.push_back({"mean_7_lag_7", DataType::kFloat64, false});
    for (const auto& name : weather_columns()) c.push_back({name, DataType::kFloat64, false});
    return c;
  }();
  return columns;
}

Table build_features(const Table& ridership, const Table& weather) {
  const auto known = ridership_by_day(ridership);
  auto lookup = [&](chr::sys_days day) -> std::optional<double> {
    auto it = known.find(day.time_since_epoch().count());
    if (it == known.end()) return std::nullopt;
    return it->second;
  };

  const Table days = weather.sort({{std::string(kDateColumn)}});
  const Column& dates = days.column(kDateColumn);
  std::vector<const Column*> weather_in;
  for (const auto& name : weather_columns()) weather_in.push_back(&days.column(name));

  Column date_out(DataType::kTimestamp), target(DataType::kFloat64);
  std::vector<std::int64_t> day_of_week, month;
  std::vector<double> doy_sin, doy_cos, lag_7, lag_14, mean_7;
  std::vector<std::vector<bool>> weekday(std::size(kWeekdayColumns));
  std::vector<bool> holiday, holiday_before;
  std::vector<Column> weather_out(weather_in.size(), Column(DataType::kFloat64));

  std::optional<Timestamp> previous;
  for (std::size_t row = 0; row < days.num_rows(); ++row) {
    if (dates.is_null(row)) throw cairn::Error("the weather table has a row without a date");
    const Timestamp t = dates.int64_values()[row];
    if (previous && day_of(*previous) == day_of(t)) {
      throw cairn::Error("the weather table has two rows for " + cairn::ml::format_timestamp(t) +
                         "; give one row per day");
    }
    previous = t;
    const chr::sys_days day = day_of(t);
    auto l7 = lookup(day - chr::days(kHorizonDays));
    auto l14 = lookup(day - chr::days(2 * kHorizonDays));
    double sum = 0;
    bool complete = l7 && l14;
    for (int back = kHorizonDays; complete && back < 2 * kHorizonDays; ++back) {
      auto v = lookup(day - chr::days(back));
      complete = v.has_value();
      if (v) sum += *v;
    }
    if (!complete) continue;

    date_out.append_timestamp(timestamp_of(day));
    if (auto y = lookup(day)) {
      target.append_float64(*y);
    } else {
      target.append_null();
    }
    const chr::year_month_day ymd{day};
    const unsigned iso_weekday = chr::weekday{day}.iso_encoding();
    day_of_week.push_back(iso_weekday);
    month.push_back(static_cast<unsigned>(ymd.month()));
    const auto day_of_year = (day - chr::sys_days{ymd.year() / chr::January / 1}).count();
    const double angle = 2 * std::numbers::pi * static_cast<double>(day_of_year) / 365.25;
    doy_sin.push_back(std::sin(angle));
    doy_cos.push_back(std::cos(angle));
    for (unsigned w = 0; w < weekday.size(); ++w) weekday[w].push_back(w + 1 == iso_weekday);
    holiday.push_back(is_holiday(ymd));
    holiday_before.push_back(is_holiday(chr::year_month_day{day - chr::days(kHorizonDays)}));
    lag_7.push_back(*l7);
    lag_14.push_back(*l14);
    mean_7.push_back(sum / kHorizonDays);
    for (std::size_t c = 0; c < weather_in.size(); ++c)
      weather_out[c].append_from(*weather_in[c], row);
  }

  Table out;
  out.add_column(std::string(kDateColumn), std::move(date_out));
  out.add_column(std::string(kTargetColumn), std::move(target));
  out.add_column("day_of_week", Column::from_int64(std::move(day_of_week)));
  out.add_column("month", Column::from_int64(std::move(month)));
  out.add_column("doy_sin", Column::from_float64(std::move(doy_sin)));
  out.add_column("doy_cos", Column::from_float64(std::move(doy_cos)));
  for (std::size_t w = 0; w < weekday.size(); ++w) {
    out.add_column(kWeekdayColumns[w], Column::from_bool(std::move(weekday[w])));
  }
  out.add_column("is_holiday", Column::from_bool(std::move(holiday)));
  out.add_column("holiday_7_days_ago", Column::from_bool(std::move(holiday_before)));
  out.add_column("lag_7", Column::from_float64(std::move(lag_7)));
  out.add_column("lag_14", Column::from_float64(std::move(lag_14)));
  out.add_column("mean_7_lag_7", Column::from_float64(std::move(mean_7)));
  for (std::size_t c = 0; c < weather_out.size(); ++c) {
    out.add_column(weather_columns()[c], std::move(weather_out[c]));
  }
  return out;
}

cairn::ml::TableSchema input_schema(const std::vector<std::string>& features, Stage stage) {
  cairn::ml::TableSchema schema;
  schema.columns.push_back({std::string(kDateColumn), DataType::kTimestamp, false});
  for (const auto& name : features) {
    const ColumnSchema* found = nullptr;
    for (const auto& column : feature_columns()) {
      if (column.name == name) found = &column;
    }
    if (found == nullptr) {
      throw cairn::Error("'" + name +
                         "' is not a feature column; feature_columns() in features.hpp lists "
                         "them");
    }
    schema.columns.push_back(*found);
  }
  if (stage == Stage::kFit) {
    schema.columns.push_back({std::string(kTargetColumn), DataType::kFloat64, false});
    schema.expectations.push_back(
        cairn::ml::expect_between(std::string(kTargetColumn), 0, std::nullopt));
  }
  schema.expectations.push_back(
      cairn::ml::expect_row_count_between(1, std::numeric_limits<std::size_t>::max()));
  return schema;
}

std::vector<double> target_values(const Table& table) {
  auto values = table.column(kTargetColumn).float64_values();
  return {values.begin(), values.end()};
}

void require_valid(const Table& table, const cairn::ml::TableSchema& schema, std::string_view who) {
  try {
    cairn::ml::validate(table, schema).throw_if_failed();
  } catch (const cairn::ml::ValidationError& e) {
    throw cairn::ml::ValidationError(std::string(who) + ": " + e.what());
  }
}

}  // namespace demand_forecast
