#pragma once
// Architecture 2: ridge regression on one-hot weekdays, holidays, the lags, the season and a few
// weather columns.

#include <cairn/ml/linear_model.hpp>
#include <cairn/ml/table.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demand_forecast {

/// A cairn::ml::Estimator (see XGBoostForecaster for the contract). Fits standardized features
/// with an L2 penalty of kL2 in closed form; the model file is cairn's linear-model JSON
/// (docs/ml-models.md).
///
/// @code
///   LinearForecaster model;
///   model.fit(history);
///   double weekday_effect = model.model().coefficient("dow_mon");
/// @endcode
class LinearForecaster {
 public:
  static constexpr double kL2 = 1.0;

  static const std::vector<std::string>& inputs();

  void fit(const cairn::ml::Table& history);
  std::vector<double> predict(const cairn::ml::Table& days) const;

  std::map<std::string, std::string> params() const;
  std::string flavor() const { return "cairn-linear"; }
  std::string to_bytes() const;
  static LinearForecaster from_bytes(std::string_view bytes);

  /// The fitted ridge model. Throws cairn::Error before fit().
  const cairn::ml::LinearModel& model() const;

 private:
  std::optional<cairn::ml::LinearModel> model_;
};

}  // namespace demand_forecast
