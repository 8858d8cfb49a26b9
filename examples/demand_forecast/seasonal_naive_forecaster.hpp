#pragma once
// Architecture 3, the baseline every model must beat: the same weekday last week.

#include <cairn/ml/table.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace demand_forecast {

/// A cairn::ml::Estimator that forecasts each day with the ridership of the same weekday one
/// week before (the `lag_7` feature). It learns nothing, but fit() still validates its input,
/// so it fails on the same bad data as the real models. Its model file is a JSON document
/// naming the rule: {"kind": "seasonal-naive", "season_days": 7}.
///
/// @code
///   SeasonalNaiveForecaster baseline;
///   baseline.fit(history);
///   auto forecast = baseline.predict(days);  // == the days' lag_7
/// @endcode
class SeasonalNaiveForecaster {
 public:
  static constexpr int kSeasonDays = 7;

  static const std::vector<std::string>& inputs();

  void fit(const cairn::ml::Table& history);
  std::vector<double> predict(const cairn::ml::Table& days) const;

  std::map<std::string, std::string> params() const;
  std::string flavor() const { return "seasonal-naive/json"; }
  std::string to_bytes() const;
  /// Throws cairn::Error on any document but the one to_bytes() writes.
  static SeasonalNaiveForecaster from_bytes(std::string_view bytes);
};

}  // namespace demand_forecast
