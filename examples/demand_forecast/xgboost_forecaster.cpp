#include "xgboost_forecaster.hpp"

#include <cairn/error.hpp>

#include "features.hpp"

namespace demand_forecast {

namespace {

constexpr int kRounds = 150;

cairn::ml::XGBoostParams training_params() {
  cairn::ml::XGBoostParams p;
  p.booster_params = {{"objective", "reg:squarederror"},
                      {"max_depth", "5"},
                      {"eta", "0.1"},
                      {"min_child_weight", "3"},
                      {"tree_method", "hist"}};
  p.num_boost_round = kRounds;
  p.nthread = 1;
  p.seed = 0;
  return p;
}

const cairn::ml::TableSchema& schema(Stage stage) {
  static const auto fit = input_schema(XGBoostForecaster::inputs(), Stage::kFit);
  static const auto predict = input_schema(XGBoostForecaster::inputs(), Stage::kPredict);
  return stage == Stage::kFit ? fit : predict;
}

}  // namespace

const std::vector<std::string>& XGBoostForecaster::inputs() {
  static const std::vector<std::string> columns{
      "day_of_week",   "month",        "doy_sin",
      "doy_cos",       "is_holiday",   "holiday_7_days_ago",
      "lag_7",         "lag_14",       "mean_7_lag_7",
      "temp",          "temp_min",     "temp_max",
      "dew",           "humidity",     "wind",
      "percip",        "weather_rain", "weather_snow",
      "weather_cloud", "weather_storm"};
  return columns;
}

void XGBoostForecaster::fit(const cairn::ml::Table& history) {
  require_valid(history, schema(Stage::kFit), "XGBoostForecaster::fit");
  model_ = cairn::ml::XGBoostModel::train(history.to_matrix(inputs()), target_values(history),
                                          training_params());
}

std::vector<double> XGBoostForecaster::predict(const cairn::ml::Table& days) const {
  const auto& model = fitted("predict");
  require_valid(days, schema(Stage::kPredict), "XGBoostForecaster::predict");
  return model.predict(days.to_matrix(inputs()));
}

std::map<std::string, std::string> XGBoostForecaster::params() const {
  auto p = training_params();
  auto out = p.booster_params;
  out["num_boost_round"] = std::to_string(p.num_boost_round);
  out["nthread"] = std::to_string(p.nthread);
  out["seed"] = std::to_string(p.seed);
  return out;
}

std::string XGBoostForecaster::to_bytes() const {
  return fitted("to_bytes").to_bytes(cairn::ml::XGBoostFormat::kUbj);
}

XGBoostForecaster XGBoostForecaster::from_bytes(std::string_view bytes) {
  XGBoostForecaster forecaster;
  forecaster.model_ = cairn::ml::XGBoostModel::from_bytes(bytes);
  return forecaster;
}

const cairn::ml::XGBoostModel& XGBoostForecaster::fitted(std::string_view who) const {
  if (!model_) {
    throw cairn::Error("XGBoostForecaster::" + std::string(who) +
                       " needs a fitted model; call fit() or from_bytes() first");
  }
  return *model_;
}

}  // namespace demand_forecast
