#include "linear_forecaster.hpp"

#include <cairn/error.hpp>

#include "features.hpp"

namespace demand_forecast {

namespace {

const cairn::ml::TableSchema& schema(Stage stage) {
  static const auto fit = input_schema(LinearForecaster::inputs(), Stage::kFit);
  static const auto predict = input_schema(LinearForecaster::inputs(), Stage::kPredict);
  return stage == Stage::kFit ? fit : predict;
}

}  // namespace

const std::vector<std::string>& LinearForecaster::inputs() {
  static const std::vector<std::string> columns{"dow_mon", "dow_tue",      "dow_wed",
                                                "dow_thu", "dow_fri",      "dow_sat",
                                                "dow_sun", "is_holiday",   "holiday_7_days_ago",
                                                "lag_7",   "lag_14",       "mean_7_lag_7",
                                                "doy_sin", "doy_cos",      "temp",
                                                "percip",  "weather_rain", "weather_snow"};
  return columns;
}

void LinearForecaster::fit(const cairn::ml::Table& history) {
  require_valid(history, schema(Stage::kFit), "LinearForecaster::fit");
  model_ = cairn::ml::LinearModel::fit(
      history.to_matrix(inputs()), target_values(history),
      {.kind = cairn::ml::LinearKind::kRidge, .l2 = kL2, .standardize = true});
}

std::vector<double> LinearForecaster::predict(const cairn::ml::Table& days) const {
  const auto& fitted = model();
  require_valid(days, schema(Stage::kPredict), "LinearForecaster::predict");
  return fitted.predict(days.to_matrix(inputs()));
}

std::map<std::string, std::string> LinearForecaster::params() const {
  return {{"kind", "ridge"}, {"l2", "1"}, {"standardize", "true"}};
}

std::string LinearForecaster::to_bytes() const {
  return model().to_bytes();
}

LinearForecaster LinearForecaster::from_bytes(std::string_view bytes) {
  LinearForecaster forecaster;
  forecaster.model_ = cairn::ml::LinearModel::from_bytes(bytes);
  return forecaster;
}

const cairn::ml::LinearModel& LinearForecaster::model() const {
  if (!model_) {
    throw cairn::Error("LinearForecaster needs a fitted model; call fit() or from_bytes() first");
  }
  return *model_;
}

}  // namespace demand_forecast
