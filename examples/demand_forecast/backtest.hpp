#pragma once
// The temporal slicing every architecture shares, and the Backtest value its evaluate_* asset
// produces for the model-agnostic metrics and plot.
//
// Time line of the feature table (the last kFolds × kFoldDays days are the backtest):
//
//   |---------------- history ----------------|- fold 0 -|- fold 1 -|- fold 2 -|- fold 3 -|
//   first day                      backtest start                               last day
//
// train_* fits on the history; evaluate_* scores that model on fold 0 (and registers it), then
// runs the walk-forward backtest: fold k refits a fresh model on everything before it
// (expanding window) and forecasts its kFoldDays days.

#include <cairn/codec.hpp>
#include <cairn/ml/model_workflow.hpp>
#include <cairn/ml/splits.hpp>
#include <cairn/ml/table.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace demand_forecast {

inline constexpr int kFolds = 4;
inline constexpr int kFoldDays = 91;  // 13 weeks: each fold has every weekday 13 times
/// The dynamic partitions set of model names: evaluate_* adds to it, metrics and plot are
/// partitioned by it.
inline constexpr const char* kModelsPartitions = "models";

struct BacktestPlan {
  cairn::ml::Timestamp start = 0;  ///< first day of fold 0
  cairn::ml::WalkForwardOptions folds;
};

/// The plan for a feature table: the backtest is its last kFolds × kFoldDays days. Throws
/// cairn::Error when the table is too short to leave a year of history before it.
BacktestPlan plan_backtest(const cairn::ml::Table& features);

/// The rows before the backtest: what train_* fits on.
cairn::ml::Table history(const cairn::ml::Table& features);
/// The rows of fold 0: what the trained model is scored on when it is registered.
cairn::ml::Table first_fold(const cairn::ml::Table& features);

/// One architecture's walk-forward forecasts: `model` is its name (the partition key of
/// metrics and plot); `predictions` has one row per backtest day: fold (int64), date
/// (timestamp), actual and forecast (float64), in date order.
struct Backtest {
  std::string model;
  cairn::ml::Table predictions;
};

/// The Backtest of `result`, a backtest_model() run over `features`.
Backtest make_backtest(std::string model, const cairn::ml::Table& features,
                       const cairn::ml::BacktestResult& result);

/// The backtest of `model` among an asset's evaluation inputs. Throws cairn::Error naming the
/// models there are when none has that name (a key added to the set by hand).
const Backtest& backtest_for(std::string_view model,
                             std::initializer_list<const Backtest*> evaluations);

}  // namespace demand_forecast

/// Format "demand-forecast/backtest/v1": the model name, a line feed, then the predictions in
/// the table codec's format.
template <>
struct cairn::Codec<demand_forecast::Backtest> {
  static constexpr const char* name = "demand-forecast/backtest/v1";
  static std::string encode(const demand_forecast::Backtest& backtest);
  static demand_forecast::Backtest decode(std::string_view bytes);
};
