#include "seasonal_naive_forecaster.hpp"

#include <cairn/error.hpp>

#include <nlohmann/json.hpp>

#include "features.hpp"

namespace demand_forecast {

namespace {

static_assert(SeasonalNaiveForecaster::kSeasonDays == kHorizonDays,
              "the baseline reads lag_7: its season is the feature table's shortest lag");

const cairn::ml::TableSchema& schema(Stage stage) {
  static const auto fit = input_schema(SeasonalNaiveForecaster::inputs(), Stage::kFit);
  static const auto predict = input_schema(SeasonalNaiveForecaster::inputs(), Stage::kPredict);
  return stage == Stage::kFit ? fit : predict;
}

}  // namespace

const std::vector<std::string>& SeasonalNaiveForecaster::inputs() {
  static const std::vector<std::string> columns{"lag_7"};
  return columns;
}

void SeasonalNaiveForecaster::fit(const cairn::ml::Table& history) {
  require_valid(history, schema(Stage::kFit), "SeasonalNaiveForecaster::fit");
}

std::vector<double> SeasonalNaiveForecaster::predict(const cairn::ml::Table& days) const {
  require_valid(days, schema(Stage::kPredict), "SeasonalNaiveForecaster::predict");
  auto lag = days.column("lag_7").float64_values();
  return {lag.begin(), lag.end()};
}

std::map<std::string, std::string> SeasonalNaiveForecaster::params() const {
  return {{"season_days", std::to_string(kSeasonDays)}};
}

std::string SeasonalNaiveForecaster::to_bytes() const {
  return nlohmann::json{{"kind", "seasonal-naive"}, {"season_days", kSeasonDays}}.dump();
}

SeasonalNaiveForecaster SeasonalNaiveForecaster::from_bytes(std::string_view bytes) {
  const auto doc = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.value("kind", "") != "seasonal-naive" ||
      doc.value("season_days", 0) != kSeasonDays) {
    throw cairn::Error(
        "not a seasonal-naive model file: expected {\"kind\": \"seasonal-naive\", "
        "\"season_days\": 7}");
  }
  return {};
}

}  // namespace demand_forecast
