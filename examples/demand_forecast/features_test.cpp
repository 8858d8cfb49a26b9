#include "features.hpp"

#include <gtest/gtest.h>

#include <cairn/ml/validation.hpp>

#include <chrono>

#include "chicago_data.hpp"

namespace demand_forecast {
namespace {

using cairn::ml::Column;
using cairn::ml::Table;
namespace chr = std::chrono;

cairn::ml::Timestamp day(int y, unsigned m, unsigned d) {
  return chr::duration_cast<chr::microseconds>(
             chr::sys_days{chr::year{y} / chr::month{m} / chr::day{d}}.time_since_epoch())
      .count();
}

// `n` consecutive days from 2024-01-01 with ridership 100 + day index, and weather of every
// column equal to the day index.
struct Days {
  Table ridership, weather;
};
Days days(int n) {
  std::vector<cairn::ml::Timestamp> dates;
  std::vector<double> riders, value;
  for (int i = 0; i < n; ++i) {
    dates.push_back(day(2024, 1, 1) + i * 86'400'000'000LL);
    riders.push_back(100 + i);
    value.push_back(i);
  }
  Days out;
  out.ridership.add_column("date", Column::from_timestamp(dates));
  out.ridership.add_column("ridership", Column::from_float64(riders));
  out.weather.add_column("date", Column::from_timestamp(dates));
  for (const auto& name : weather_columns())
    out.weather.add_column(name, Column::from_float64(value));
  return out;
}

TEST(Holidays, FollowTheCalendarRules) {
  using namespace std::chrono;
  EXPECT_TRUE(is_holiday(2015y / November / 26));   // fourth Thursday
  EXPECT_TRUE(is_holiday(2015y / November / 27));   // the day after
  EXPECT_FALSE(is_holiday(2015y / November / 19));  // third Thursday
  EXPECT_TRUE(is_holiday(2016y / May / 30));        // last Monday of May
  EXPECT_FALSE(is_holiday(2016y / May / 23));
  EXPECT_TRUE(is_holiday(2016y / September / 5));  // first Monday of September
  EXPECT_TRUE(is_holiday(2016y / July / 4));
  EXPECT_TRUE(is_holiday(2010y / December / 25));
  EXPECT_FALSE(is_holiday(2010y / December / 26));
}

TEST(BuildFeatures, LagsOnlyLookBackAndRowsWithoutHistoryAreDropped) {
  Days d = days(30);
  Table f = build_features(d.ridership, d.weather);
  // The first row needs days t-14 .. t-7: day index 14 is the first with a full history.
  ASSERT_EQ(f.num_rows(), 16u);
  EXPECT_EQ(f.column("date").int64_values()[0], day(2024, 1, 15));
  EXPECT_DOUBLE_EQ(f.column("ridership").number_at(0), 114);
  EXPECT_DOUBLE_EQ(f.column("lag_7").number_at(0), 107);
  EXPECT_DOUBLE_EQ(f.column("lag_14").number_at(0), 100);
  EXPECT_DOUBLE_EQ(f.column("mean_7_lag_7").number_at(0), (101 + 107) / 2.0);
  EXPECT_DOUBLE_EQ(f.column("temp").number_at(0), 14);
  // 2024-01-15 is a Monday.
  EXPECT_EQ(f.column("day_of_week").int64_values()[0], 1);
  EXPECT_EQ(f.column("dow_mon").bool_values()[0], 1);
  EXPECT_EQ(f.column("dow_sun").bool_values()[0], 0);
  EXPECT_EQ(f.column("month").int64_values()[0], 1);
}

TEST(BuildFeatures, ForecastDaysWithoutRidershipKeepANullTarget) {
  Days d = days(30);
  Table history = d.ridership.head(25);  // the last 5 days are the future
  Table f = build_features(history, d.weather);
  ASSERT_EQ(f.num_rows(), 16u);
  EXPECT_FALSE(f.column("ridership").is_null(10));
  EXPECT_TRUE(f.column("ridership").is_null(11));
  EXPECT_DOUBLE_EQ(f.column("lag_7").number_at(15), 100 + 22);
  // With days 0..9 known, rows exist up to 7 days past the last known day, and no further.
  Table far = build_features(d.ridership.head(10), d.weather);
  ASSERT_EQ(far.num_rows(), 3u);
  EXPECT_EQ(far.column("date").int64_values()[2], day(2024, 1, 17));
}

TEST(BuildFeatures, ARepeatedDayIsAnError) {
  Days d = days(20);
  Table twice = d.ridership.take(std::vector<std::size_t>{0, 1, 1, 2});
  EXPECT_THROW(build_features(twice, d.weather), cairn::Error);
}

TEST(InputSchema, RejectsMissingValuesAndUnknownColumns) {
  Days d = days(30);
  Table f = build_features(d.ridership, d.weather);
  auto fit = input_schema({"lag_7", "temp"}, Stage::kFit);
  EXPECT_NO_THROW(require_valid(f, fit, "test"));
  Table no_target = f.drop({"ridership"});
  EXPECT_NO_THROW(require_valid(no_target, input_schema({"lag_7"}, Stage::kPredict), "test"));
  try {
    require_valid(no_target, fit, "Model::fit");
    FAIL() << "a table without the target passed the fit schema";
  } catch (const cairn::ml::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("Model::fit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ridership"), std::string::npos) << e.what();
  }
  EXPECT_THROW(input_schema({"lag_8"}, Stage::kFit), cairn::Error);
}

}  // namespace
}  // namespace demand_forecast
