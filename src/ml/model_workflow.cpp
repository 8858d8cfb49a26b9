#include "cairn/ml/model_workflow.hpp"

#include "cairn/ml/metrics.hpp"

namespace cairn::ml::detail {

std::string model_artifact_name(std::string_view requested, std::string_view flavor) {
  if (!requested.empty()) return std::string(requested);
  if (flavor.ends_with("ubj")) return "model.ubj";
  if (flavor.ends_with("json") || flavor == "cairn-linear") return "model.json";
  return "model.bin";
}

void require_rows(const Table& table, std::string_view what) {
  if (table.empty()) {
    throw TableError(std::string(what) +
                     " has no rows; check the split or the filter that produced it");
  }
}

std::vector<double> label_values(const Table& table, std::string_view column) {
  if (column.empty()) {
    throw TableError("EvaluationOptions::label_column is empty; name the column of actual values");
  }
  const Column& labels = table.column(column);
  if (labels.type() == DataType::kString) {
    throw TableError("label column '" + std::string(column) +
                     "' holds strings; encode it as numbers (e.g. 0/1) before evaluating");
  }
  std::vector<double> values(labels.size());
  for (std::size_t row = 0; row < labels.size(); ++row) values[row] = labels.number_at(row);
  return values;
}

std::map<std::string, double> evaluation_metrics(std::span<const double> actual,
                                                 std::span<const double> predicted,
                                                 const EvaluationOptions& options) {
  std::map<std::string, double> metrics;
  if (options.task == ModelTask::kBinaryClassification) {
    BinaryClassificationReport r =
        binary_classification_report(actual, predicted, options.threshold);
    metrics = {{"roc_auc", r.roc_auc},
               {"pr_auc", r.pr_auc},
               {"log_loss", r.log_loss},
               {"accuracy", r.accuracy},
               {"precision", r.precision},
               {"recall", r.recall},
               {"f1", r.f1},
               {"rows", static_cast<double>(r.rows)},
               {"positives", static_cast<double>(r.positives)}};
  } else {
    RegressionReport r = regression_report(actual, predicted);
    metrics = {{"mae", r.mae},
               {"rmse", r.rmse},
               {"smape", r.smape},
               {"bias", r.bias},
               {"rows", static_cast<double>(r.rows)}};
    if (r.mape) metrics["mape"] = *r.mape;
    if (r.r2) metrics["r2"] = *r.r2;
  }
  return metrics;
}

Evaluation record_evaluation(tracking::TrackingRun& run, tracking::ModelRegistry& registry,
                             std::map<std::string, double> metrics, std::vector<double> predictions,
                             std::string_view tracking_run_id, std::string_view artifact_path,
                             std::string_view flavor, const EvaluationOptions& options) {
  run.log_metrics(metrics);
  Evaluation evaluation{std::move(metrics), std::move(predictions), std::nullopt};
  if (options.register_as.empty()) return evaluation;

  registry.register_model(options.register_as);
  tracking::NewModelVersion spec;
  spec.tracking_run_id = std::string(tracking_run_id);
  spec.run_artifact = std::string(artifact_path);
  spec.flavor = std::string(flavor);
  spec.metrics = evaluation.metrics;
  spec.links = run.info().links;
  spec.description = options.description;
  evaluation.version = registry.create_version(options.register_as, spec);
  run.set_tag("registered_model",
              options.register_as + " v" + std::to_string(evaluation.version->version));
  return evaluation;
}

void log_fold_metrics(tracking::TrackingRun& run, const std::map<std::string, double>& metrics,
                      std::size_t fold_index) {
  run.log_metrics(metrics, static_cast<std::int64_t>(fold_index));
}

std::map<std::string, double> mean_metrics(const std::vector<BacktestFold>& folds) {
  std::map<std::string, std::pair<double, std::size_t>> sums;
  for (const BacktestFold& fold : folds) {
    for (const auto& [name, value] : fold.metrics) {
      auto& [sum, count] = sums[name];
      sum += value;
      ++count;
    }
  }
  std::map<std::string, double> means;
  for (const auto& [name, sum_count] : sums) {
    means[name] = sum_count.first / static_cast<double>(sum_count.second);
  }
  return means;
}

}  // namespace cairn::ml::detail
