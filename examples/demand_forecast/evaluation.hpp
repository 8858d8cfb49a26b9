#pragma once
// What every evaluate_* asset does, whatever the architecture: score the trained model on the
// first backtest fold and register it, run the walk-forward backtest, and announce the model
// to the dynamic partitions set that the model-agnostic metrics and plot are partitioned by.

#include <cairn/context.hpp>
#include <cairn/ml/model_workflow.hpp>
#include <cairn/model_registry.hpp>
#include <cairn/tracking.hpp>

#include <cstdint>
#include <string>

#include "backtest.hpp"
#include "features.hpp"

namespace demand_forecast {

/// The registered model a forecaster's evaluation creates versions of: "demand_forecast-<name>".
inline std::string registered_model_name(const std::string& model) {
  return "demand_forecast-" + model;
}

/// Registers `trained` (fitted on history(features)) with its metrics on first_fold(features),
/// then backtests fresh models from `make_model` on every fold, logging each fold's metrics to
/// this step's tracking run with step = fold (fold 0's model is the trained one refitted on the
/// same rows, so both sets of step-0 metrics agree). Adds `model` to the set kModelsPartitions.
///
/// @code
///   return evaluate_forecaster(ctx, "xgboost", trained, features,
///                              [] { return XGBoostForecaster{}; });
/// @endcode
template <cairn::ml::Estimator M, class MakeModel>
Backtest evaluate_forecaster(cairn::Context& ctx, const std::string& model,
                             const cairn::ml::TrainedModel<M>& trained,
                             const cairn::ml::Table& features, MakeModel make_model) {
  const cairn::ml::EvaluationOptions regression{.label_column = std::string(kTargetColumn),
                                                .task = cairn::ml::ModelTask::kRegression};
  cairn::ml::EvaluationOptions registration = regression;
  registration.register_as = registered_model_name(model);
  registration.description = "trained on the history before the backtest, scored on fold 0";
  const auto holdout = cairn::ml::evaluate_and_save_model(
      ctx.tracking(), ctx.model_registry(), trained, first_fold(features), registration);

  const auto result = cairn::ml::backtest_model(ctx.tracking(), make_model, features, kDateColumn,
                                                plan_backtest(features).folds, regression);
  ctx.add_dynamic_partitions(kModelsPartitions, {model});

  ctx.add_metadata("registered_version", holdout.version->version);
  ctx.add_metadata("folds", static_cast<std::int64_t>(result.folds.size()));
  for (const char* metric : {"mae", "rmse", "mape"}) {
    ctx.add_metadata(std::string("mean_") + metric, result.mean_metrics.at(metric));
  }
  return make_backtest(model, features, result);
}

}  // namespace demand_forecast
