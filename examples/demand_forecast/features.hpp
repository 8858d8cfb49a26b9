#pragma once
// The features every architecture reads, built by one function used both to train and to
// forecast, so the two can never disagree about what a column means.
//
// One row per day of the weather table (the days to learn from, or to forecast): the target
// when it is known, calendar features, the weather of the day (observed here; a weather forecast
// when forecasting), and ridership lags. Every lag looks back at least kHorizonDays, so a model
// trained on these rows forecasts a week ahead: on any day, the rows of the next seven days can
// be built from what is known then. Days without a full lag history (the first two weeks of the
// data) have no row.

#include <cairn/ml/table.hpp>
#include <cairn/ml/validation.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace demand_forecast {

inline constexpr std::string_view kDateColumn = "date";
inline constexpr std::string_view kTargetColumn = "ridership";
/// The shortest lag: the forecast horizon in days.
inline constexpr int kHorizonDays = 7;

/// US public holidays on which the Chicago L runs a holiday service: New Year's Day, Memorial
/// Day (last Monday of May), Independence Day, Labor Day (first Monday of September),
/// Thanksgiving (fourth Thursday of November) and the day after, Christmas Eve and Day, and New
/// Year's Eve. On their calendar dates, not moved to a weekday.
bool is_holiday(std::chrono::year_month_day day);

/// Every feature column with its type, in the order build_features() writes them after `date`
/// and `ridership`:
///   day_of_week (int64, 1 = Monday .. 7 = Sunday), month (int64), doy_sin, doy_cos (float64,
///   the day of the year on a circle), dow_mon .. dow_sun (bool), is_holiday,
///   holiday_7_days_ago (bool), lag_7, lag_14 (float64, ridership 7 and 14 days before),
///   mean_7_lag_7 (float64, mean ridership of days t-13 .. t-7), then the weather columns
///   (float64).
const std::vector<cairn::ml::ColumnSchema>& feature_columns();

/// Joins the two inputs by date into the feature table: `date`, `ridership` (null on days
/// whose ridership is not known yet), then feature_columns(). Rows are the weather table's
/// days that have every lag, in date order. Throws cairn::ml::TableError if a table lacks
/// `date` or a needed column, cairn::Error on a repeated date.
cairn::ml::Table build_features(const cairn::ml::Table& ridership, const cairn::ml::Table& weather);

/// Whether a table is validated for fitting (it needs the target) or for predicting.
enum class Stage { kFit, kPredict };

/// What an architecture's input must look like at run time: `date`, the named feature columns
/// with their types and no missing values, and, for training, a known non-negative target.
/// Throws cairn::Error on a name that is not a feature column.
cairn::ml::TableSchema input_schema(const std::vector<std::string>& features, Stage stage);

/// The known target of every row, for fitting (validate with Stage::kFit first).
std::vector<double> target_values(const cairn::ml::Table& table);

/// Validates `table` against `schema`; throws cairn::ml::ValidationError whose message starts
/// with `who` ("XGBoostForecaster::fit") and lists every failed check.
void require_valid(const cairn::ml::Table& table, const cairn::ml::TableSchema& schema,
                   std::string_view who);

}  // namespace demand_forecast
