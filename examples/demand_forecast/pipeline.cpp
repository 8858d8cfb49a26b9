// ADR-005's "Zero Magic" forecasting pipeline on the Chicago L ridership data
// (docs/tutorial-demand-forecast.md walks through it):
//
//   weather ───┐
//              ├── features ──┬── train_xgboost ── evaluate_xgboost ──┐
//   ridership ─┘              ├── train_linear ─── evaluate_linear ───┼── metrics[model]
//                             └── train_baseline ─ evaluate_baseline ─┴── plot[model]
//
// weather and ridership are observed sources (the data file's content); every evaluate_* also
// reads `features` and adds its model name to the dynamic partitions set "models"; metrics and
// plot are partitioned by that set and materialized eagerly by the daemon.
//
// $DEMAND_FORECAST_DATA points the pipeline at another copy of data/chicago.csv.

#include <cairn/cairn.hpp>
#include <cairn/ml/table_codec.hpp>

#include <concepts>
#include <cstdint>
#include <string>

#include "backtest.hpp"
#include "chicago_data.hpp"
#include "evaluation.hpp"
#include "features.hpp"
#include "forecast_metrics.hpp"
#include "forecast_plot.hpp"
#include "linear_forecaster.hpp"
#include "seasonal_naive_forecaster.hpp"
#include "trained_model_codec.hpp"
#include "xgboost_forecaster.hpp"

namespace {

using cairn::Context;
using cairn::ml::Table;
using cairn::ml::TrainedModel;
using namespace demand_forecast;

std::string observe_data_file(Context&) {
  return file_version(data_file());
}

}  // namespace

int main(int argc, char** argv) {
  // --- inputs and features, shared by every architecture ------------------------------------
  auto weather = cairn::asset<Table>("weather")
                     .group("data")
                     .describe("Daily weather at O'Hare (observed; a forecast when predicting)")
                     .observe(observe_data_file)
                     .compute([](Context&) { return load_weather(data_file()); });

  auto ridership = cairn::asset<Table>("ridership")
                       .group("data")
                       .describe("Daily entries at Clark/Lake, in thousands")
                       .observe(observe_data_file)
                       .compute([](Context&) { return load_ridership(data_file()); });

  auto features = cairn::asset<Table>("features")
                      .group("data")
                      .describe("Calendar, week-back lags and weather per day (features.hpp)")
                      .compute(
                          [](Context& ctx, const Table& r, const Table& w) {
                            Table out = build_features(r, w);
                            ctx.add_metadata("rows", static_cast<std::int64_t>(out.num_rows()));
                            return out;
                          },
                          ridership, weather);

  // --- one tiny pair of assets per architecture -------------------------------------------
  auto train_xgboost = cairn::asset<TrainedModel<XGBoostForecaster>>("train_xgboost")
                           .group("xgboost")
                           .compute(
                               [](Context& ctx, const Table& f) {
                                 return cairn::ml::train_and_log_model(
                                     ctx.tracking(), XGBoostForecaster{}, history(f));
                               },
                               features);
  auto evaluate_xgboost =
      cairn::asset<Backtest>("evaluate_xgboost")
          .group("xgboost")
          .compute(
              [](Context& ctx, const TrainedModel<XGBoostForecaster>& trained, const Table& f) {
                return evaluate_forecaster(ctx, "xgboost", trained, f,
                                           [] { return XGBoostForecaster{}; });
              },
              train_xgboost, features);

  auto train_linear = cairn::asset<TrainedModel<LinearForecaster>>("train_linear")
                          .group("linear")
                          .compute(
                              [](Context& ctx, const Table& f) {
                                return cairn::ml::train_and_log_model(
                                    ctx.tracking(), LinearForecaster{}, history(f));
                              },
                              features);
  auto evaluate_linear =
      cairn::asset<Backtest>("evaluate_linear")
          .group("linear")
          .compute(
              [](Context& ctx, const TrainedModel<LinearForecaster>& trained, const Table& f) {
                return evaluate_forecaster(ctx, "linear", trained, f,
                                           [] { return LinearForecaster{}; });
              },
              train_linear, features);

  auto train_baseline = cairn::asset<TrainedModel<SeasonalNaiveForecaster>>("train_baseline")
                            .group("baseline")
                            .compute(
                                [](Context& ctx, const Table& f) {
                                  return cairn::ml::train_and_log_model(
                                      ctx.tracking(), SeasonalNaiveForecaster{}, history(f));
                                },
                                features);
  auto evaluate_baseline =
      cairn::asset<Backtest>("evaluate_baseline")
          .group("baseline")
          .compute(
              [](Context& ctx, const TrainedModel<SeasonalNaiveForecaster>& trained,
                 const Table& f) {
                return evaluate_forecaster(ctx, "baseline", trained, f,
                                           [] { return SeasonalNaiveForecaster{}; });
              },
              train_baseline, features);

  // --- model-agnostic analysis, one partition per model, materialized by the daemon --------
  // Each partition reads the evaluation whose model is its key. Every evaluation is a typed
  // dependency of both assets: the graph shows where each partition's data comes from, and a
  // changed evaluation makes metrics and plot stale (docs/tutorial-demand-forecast.md explains
  // why this beats looking the evaluation up by name).
  auto metrics = cairn::asset<Table>("metrics")
                     .group("analysis")
                     .describe("MAE, RMSE and MAPE of each backtest fold")
                     .partitioned(cairn::dynamic_partitions(kModelsPartitions))
                     .automation(cairn::eager())
                     .compute(
                         [](Context& ctx, const std::same_as<Backtest> auto&... evaluations) {
                           Table folds =
                               fold_metrics(backtest_for(ctx.partition_key(), {&evaluations...}));
                           report_fold_metrics(ctx, folds);
                           return folds;
                         },
                         evaluate_xgboost, evaluate_linear, evaluate_baseline);

  auto plot =
      cairn::asset<std::string>("plot")
          .group("analysis")
          .describe("SVG of forecast vs actual over the backtest (a tracking artifact)")
          .partitioned(cairn::dynamic_partitions(kModelsPartitions))
          .automation(cairn::eager())
          .compute(
              [](Context& ctx, const std::same_as<Backtest> auto&... evaluations) {
                std::string svg =
                    forecast_svg(backtest_for(ctx.partition_key(), {&evaluations...}));
                auto& run = ctx.tracking();
                auto artifact = run.log_text("forecast.svg", svg);
                ctx.add_metadata("plot", cairn::PathValue{run.artifact_file(artifact.path)});
                ctx.add_metadata("tracking_run", run.id());
                return svg;
              },
              evaluate_xgboost, evaluate_linear, evaluate_baseline);

  cairn::Definitions defs{.assets = {weather, ridership, features, train_xgboost, evaluate_xgboost,
                                     train_linear, evaluate_linear, train_baseline,
                                     evaluate_baseline, metrics, plot}};
  return cairn::run_cli(defs, argc, argv);
}
