#pragma once
// The model-agnostic error measures of a backtest, fold by fold.

#include <cairn/context.hpp>
#include <cairn/ml/table.hpp>

#include "backtest.hpp"

namespace demand_forecast {

/// One row per fold: fold (int64), first_day and last_day (timestamp), days (int64), mae and
/// rmse (float64, thousands of riders) and mape (float64, a fraction; null if an actual value
/// of the fold is 0). Throws cairn::ml::MetricError on a non-finite forecast.
cairn::ml::Table fold_metrics(const Backtest& backtest);

/// Logs each fold's mae, rmse and mape to the step's tracking run (step = fold) and adds their
/// means over the folds that have them (mean_mae, mean_rmse, mean_mape) and the fold count
/// (folds) to the materialization's metadata.
void report_fold_metrics(cairn::Context& ctx, const cairn::ml::Table& folds);

}  // namespace demand_forecast
