#pragma once
/// @file model_workflow.hpp
/// The shared steps of every model's life, so that each architecture's assets stay tiny,
/// explicit wrappers (`train_xgboost`, `evaluate_xgboost`, ...) that delegate here:
///
///   - train_and_log_model: fit, log params, training metrics and the native model file;
///   - evaluate_and_save_model: score on a held-out or temporal test set, log the metrics,
///     register the model file as a new version of a registered model;
///   - backtest_model: walk-forward temporal slicing, refitting per fold and logging each
///     fold's metrics.
///
/// A model architecture is one class (an `Estimator`) that owns its feature code, so training
/// and inference share it:
/// @code
///   class XGBoostScorer {
///    public:
///     void fit(const cairn::ml::Table& t) { model_ = XGBoostModel::train(features(t), labels(t),
///     p_); } std::vector<double> predict(const cairn::ml::Table& t) const { return
///     model_->predict(features(t)); } std::map<std::string, std::string> params() const;
///     std::string flavor() const { return "xgboost/ubj"; }
///     std::string to_bytes() const { return model_->to_bytes(XGBoostFormat::kUbj); }
///    private: ...
///   };
///
///   auto trained = cairn::ml::train_and_log_model(ctx.tracking(), XGBoostScorer{}, train);
///   auto result = cairn::ml::evaluate_and_save_model(
///       ctx.tracking(), ctx.model_registry(), trained, test,
///       {.label_column = "bad", .register_as = "credit-scorer"});
/// @endcode

#include <concepts>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/ml/splits.hpp"
#include "cairn/ml/table.hpp"
#include "cairn/model_registry.hpp"
#include "cairn/tracking.hpp"

namespace cairn::ml {

/// One model architecture: fitted on a table, predicting one number per row (a probability of
/// the positive class, or a value), with its hyperparameters, and serialized in its native
/// format (`flavor` names it, e.g. "xgboost/ubj", "xgboost/json", "cairn-linear").
///
/// An estimator may also expose `training_metrics()` returning std::vector<tracking::Metric>
/// (e.g. per-iteration validation scores with step = iteration); train_and_log_model logs them.
template <class M>
concept Estimator = std::movable<M> && requires(M& model, const M& fitted, const Table& data) {
  model.fit(data);
  { fitted.predict(data) } -> std::convertible_to<std::vector<double>>;
  { fitted.params() } -> std::convertible_to<std::map<std::string, std::string>>;
  { fitted.flavor() } -> std::convertible_to<std::string>;
  { fitted.to_bytes() } -> std::convertible_to<std::string>;
};

enum class ModelTask {
  kBinaryClassification,  ///< labels 0/1, predictions are probabilities of 1
  kRegression,            ///< real-valued targets and predictions (forecasts)
};

/// A fitted model and where its file was logged.
template <class M>
struct TrainedModel {
  M model;
  std::string tracking_run_id;
  std::string artifact_path;  ///< the model file, relative to the tracking run's artifacts
  std::string flavor;
};

struct TrainOptions {
  /// The model file's name under the tracking run; empty: "model" plus the extension of the
  /// flavor (".ubj", ".json", ".bin").
  std::string artifact_name = {};
};

struct EvaluationOptions {
  /// The column of the test table holding the actual values (0/1 labels for classification).
  std::string label_column = {};
  ModelTask task = ModelTask::kBinaryClassification;
  /// Classification threshold for accuracy, precision, recall, F1: score >= threshold is 1.
  double threshold = 0.5;
  /// Register the model file as a new version of this registered model (created if needed);
  /// empty: only log the metrics.
  std::string register_as = {};
  std::string description = {};
};

/// The metrics of one evaluation, named as they are logged and snapshotted in a model version:
/// classification: roc_auc, pr_auc, log_loss, accuracy, precision, recall, f1, rows, positives;
/// regression: mae, rmse, smape, bias, rows, and mape / r2 when defined.
struct Evaluation {
  std::map<std::string, double> metrics;
  std::vector<double> predictions;
  std::optional<tracking::ModelVersion> version;  ///< set when registered
};

/// One fold of a backtest and the metrics of the model refitted on its training window.
struct BacktestFold {
  Fold fold;
  std::map<std::string, double> metrics;
};

struct BacktestResult {
  std::vector<BacktestFold> folds;
  /// Mean of each metric over the folds that have it.
  std::map<std::string, double> mean_metrics;
  /// Every fold's test rows (indices into the table) and their predictions, in fold order.
  std::vector<std::size_t> rows;
  std::vector<double> predictions;
};

namespace detail {
std::string model_artifact_name(std::string_view requested, std::string_view flavor);
void require_rows(const Table& table, std::string_view what);
std::vector<double> label_values(const Table& table, std::string_view column);
std::map<std::string, double> evaluation_metrics(std::span<const double> actual,
                                                 std::span<const double> predicted,
                                                 const EvaluationOptions& options);
Evaluation record_evaluation(tracking::TrackingRun& run, tracking::ModelRegistry& registry,
                             std::map<std::string, double> metrics, std::vector<double> predictions,
                             std::string_view tracking_run_id, std::string_view artifact_path,
                             std::string_view flavor, const EvaluationOptions& options);
void log_fold_metrics(tracking::TrackingRun& run, const std::map<std::string, double>& metrics,
                      std::size_t fold_index);
std::map<std::string, double> mean_metrics(const std::vector<BacktestFold>& folds);
}  // namespace detail

/// Fits `model` on `train`, logging to `run`: its params (before fitting, so a failed fit
/// still shows what was tried), its training_metrics() if it has them, the row count
/// ("train_rows") and the native model file as an artifact, with a "flavor" tag.
/// Throws what fit() throws; TableError if `train` is empty.
template <Estimator M>
TrainedModel<M> train_and_log_model(tracking::TrackingRun& run, M model, const Table& train,
                                    const TrainOptions& options = {}) {
  detail::require_rows(train, "train_and_log_model: the training table");
  run.log_params(model.params());
  model.fit(train);
  if constexpr (requires(const M& m) {
                  { m.training_metrics() } -> std::convertible_to<std::vector<tracking::Metric>>;
                }) {
    run.log_metrics(model.training_metrics());
  }
  run.log_metric("train_rows", static_cast<double>(train.num_rows()));
  std::string flavor = model.flavor();
  tracking::Artifact artifact =
      run.log_text(detail::model_artifact_name(options.artifact_name, flavor), model.to_bytes());
  run.set_tag("flavor", flavor);
  return TrainedModel<M>{std::move(model), run.id(), artifact.path, std::move(flavor)};
}

/// Scores `trained` on `test` (the label column is read from it; the estimator's own feature
/// code ignores it or drops it), logs the metrics to `run`, and — when options.register_as is
/// set — registers the trained model file as a new version with those metrics as its snapshot
/// and `run`'s links (orchestration run, asset, partition). Throws MetricError for labels that
/// cannot be scored (one class only, NaN), TableError for an unknown label column.
template <Estimator M>
Evaluation evaluate_and_save_model(tracking::TrackingRun& run, tracking::ModelRegistry& registry,
                                   const TrainedModel<M>& trained, const Table& test,
                                   const EvaluationOptions& options) {
  detail::require_rows(test, "evaluate_and_save_model: the test table");
  std::vector<double> actual = detail::label_values(test, options.label_column);
  std::vector<double> predicted = trained.model.predict(test);
  auto metrics = detail::evaluation_metrics(actual, predicted, options);
  return detail::record_evaluation(run, registry, std::move(metrics), std::move(predicted),
                                   trained.tracking_run_id, trained.artifact_path, trained.flavor,
                                   options);
}

/// Walk-forward backtest: for each fold of `data` by `time_column`, a fresh model from
/// `make_model()` is fitted on the fold's training rows and scored on its test rows. Each fold's
/// metrics are logged with step = fold index ("mae", "rmse", ...), their means as
/// "mean_<metric>". Throws SplitError when the options leave no fold.
template <class MakeModel>
requires Estimator<std::invoke_result_t<MakeModel&>> BacktestResult
backtest_model(tracking::TrackingRun& run, MakeModel make_model, const Table& data,
               std::string_view time_column, const WalkForwardOptions& folds,
               const EvaluationOptions& options) {
  BacktestResult result;
  std::vector<Fold> all = walk_forward_folds(data, time_column, folds);
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto model = make_model();
    if (i == 0) run.log_params(model.params());
    model.fit(data.take(all[i].train));
    Table test = data.take(all[i].test);
    std::vector<double> actual = detail::label_values(test, options.label_column);
    std::vector<double> predicted = model.predict(test);
    auto metrics = detail::evaluation_metrics(actual, predicted, options);
    detail::log_fold_metrics(run, metrics, i);
    result.rows.insert(result.rows.end(), all[i].test.begin(), all[i].test.end());
    result.predictions.insert(result.predictions.end(), predicted.begin(), predicted.end());
    result.folds.push_back({std::move(all[i]), std::move(metrics)});
  }
  result.mean_metrics = detail::mean_metrics(result.folds);
  std::map<std::string, double> means;
  for (const auto& [name, value] : result.mean_metrics) means["mean_" + name] = value;
  run.log_metrics(means);
  return result;
}

}  // namespace cairn::ml
