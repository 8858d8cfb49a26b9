#pragma once
// Architecture 1: gradient-boosted trees (XGBoost) on the calendar, the lags and the weather.

#include <cairn/ml/table.hpp>
#include <cairn/ml/xgboost_model.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demand_forecast {

/// A cairn::ml::Estimator: fit() on feature rows with a known target, predict() on feature rows
/// (build_features() makes both); each validates its input against input_schema() first. The
/// hyperparameters are part of the architecture: a variant with others is another class.
/// Trains on one thread, so the same data gives the same model bit for bit.
///
/// @code
///   XGBoostForecaster model;
///   model.fit(features.slice_time("date", first, cutoff));
///   std::vector<double> next_week = model.predict(features_of_next_week);
/// @endcode
class XGBoostForecaster {
 public:
  /// The feature columns the model reads (features.hpp describes them).
  static const std::vector<std::string>& inputs();

  /// Throws cairn::ml::ValidationError naming the failed checks, cairn::ml::ModelError from
  /// XGBoost.
  void fit(const cairn::ml::Table& history);
  /// One forecast per row, in thousands of riders. Throws cairn::Error before fit().
  std::vector<double> predict(const cairn::ml::Table& days) const;

  std::map<std::string, std::string> params() const;
  std::string flavor() const { return "xgboost/ubj"; }
  /// XGBoost's own UBJ model file: `xgboost.Booster(model_file=...)` loads it.
  std::string to_bytes() const;
  static XGBoostForecaster from_bytes(std::string_view bytes);

 private:
  const cairn::ml::XGBoostModel& fitted(std::string_view who) const;

  std::optional<cairn::ml::XGBoostModel> model_;
};

}  // namespace demand_forecast
