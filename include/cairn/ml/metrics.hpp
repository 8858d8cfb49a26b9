#pragma once
/// @file metrics.hpp
/// Model quality metrics: binary classification (ROC AUC, PR AUC, log loss, accuracy,
/// precision, recall, F1, confusion matrix) and regression / forecasting (MAE, RMSE, MAPE,
/// sMAPE, R², bias). Values agree with scikit-learn's to 1e-9 relative on the same inputs (the
/// tests check it); where scikit-learn returns NaN or a meaningless number, cairn throws
/// MetricError instead. docs/ml-metrics.md gives every definition and convention.
///
/// @code
///   using namespace cairn::ml;
///   std::vector<double> labels{0, 0, 1, 1}, p{0.1, 0.4, 0.35, 0.8};
///   double auc = roc_auc(labels, p);                          // 0.75
///   BinaryClassificationReport r = binary_classification_report(labels, p);
///   RegressionReport f = regression_report(actual, forecast);  // f.mae, f.rmse, ...
/// @endcode
///
/// Inputs are spans of doubles: labels are 0 (negative) or 1 (positive); scores are any finite
/// numbers ranked higher for the positive class; probabilities are scores in [0, 1]. Every
/// function throws MetricError on empty input, a length mismatch, a NaN or infinite value, or a
/// label other than 0 or 1; the message names the metric, the index and the fix. All functions
/// are pure and safe to call concurrently.

#include <cstddef>
#include <limits>
#include <optional>
#include <span>

#include "cairn/error.hpp"

namespace cairn::ml {

/// A metric was given input it is not defined for (see the file comment).
class MetricError : public Error {
 public:
  using Error::Error;
};

/// Scores at or above the threshold are predicted positive: `score >= threshold`. This is the
/// convention of scikit-learn's roc_curve and precision_recall_curve (a point of the curve at
/// threshold t counts scores >= t as positive), so the confusion matrix at t is that curve
/// point. scikit-learn's `predict` and `binarize` use `>` instead: a probability of exactly 0.5
/// is class 1 here and class 0 there.
inline constexpr double kDefaultThreshold = 0.5;

/// log_loss clips probabilities to [kLogLossEpsilon, 1 − kLogLossEpsilon] before taking logs, as
/// scikit-learn 1.2's `log_loss(eps="auto")` does for float64, so a confident mistake costs
/// about 36 instead of infinity.
inline constexpr double kLogLossEpsilon = std::numeric_limits<double>::epsilon();

// --- binary classification ----------------------------------------------------------------

/// Area under the ROC curve. Tied scores are one threshold (the curve moves diagonally across
/// them), which equals the Mann–Whitney statistic with ties counted ½ — scikit-learn's
/// roc_auc_score. Throws MetricError unless both classes occur in `labels`.
/// O(n) extra memory, O(n) time (radix sort of the scores).
double roc_auc(std::span<const double> labels, std::span<const double> scores);

/// Average precision, scikit-learn's average_precision_score: Σ (Rₖ − Rₖ₋₁) · Pₖ over the
/// distinct score thresholds in decreasing order (a step function, no interpolation). Throws
/// MetricError unless both classes occur in `labels`.
double pr_auc(std::span<const double> labels, std::span<const double> scores);

/// Mean binary cross-entropy −(y·log p + (1 − y)·log(1 − p)) with p clipped by kLogLossEpsilon.
/// `probabilities` are P(label = 1) and must lie in [0, 1] (raw scores are an error, not
/// silently clipped). Unlike scikit-learn, labels of one class only are accepted: the loss is
/// still defined.
double log_loss(std::span<const double> labels, std::span<const double> probabilities);

/// Counts of a thresholded classifier (see kDefaultThreshold for the convention).
/// The ratios follow scikit-learn's `zero_division=0`: a ratio whose denominator is 0 is 0.
struct ConfusionMatrix {
  std::size_t tn = 0;
  std::size_t fp = 0;
  std::size_t fn = 0;
  std::size_t tp = 0;

  std::size_t total() const { return tn + fp + fn + tp; }
  /// (tp + tn) / total; 0 for an empty matrix.
  double accuracy() const;
  /// tp / (tp + fp): 0 when nothing is predicted positive.
  double precision() const;
  /// tp / (tp + fn): 0 when no label is positive.
  double recall() const;
  /// 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall; 0 when tp = fp = fn = 0.
  double f1() const;

  friend bool operator==(const ConfusionMatrix&, const ConfusionMatrix&) = default;
};

/// The confusion matrix of `scores >= threshold` against `labels`. Scores may be hard 0/1
/// predictions: with the default threshold they are taken as they are. Throws MetricError for a
/// NaN threshold.
ConfusionMatrix confusion_matrix(std::span<const double> labels, std::span<const double> scores,
                                 double threshold = kDefaultThreshold);
double accuracy(std::span<const double> labels, std::span<const double> scores,
                double threshold = kDefaultThreshold);
double precision(std::span<const double> labels, std::span<const double> scores,
                 double threshold = kDefaultThreshold);
double recall(std::span<const double> labels, std::span<const double> scores,
              double threshold = kDefaultThreshold);
double f1(std::span<const double> labels, std::span<const double> scores,
          double threshold = kDefaultThreshold);

/// Every classification metric of one model on one data set.
struct BinaryClassificationReport {
  std::size_t rows = 0;
  std::size_t positives = 0;
  double threshold = kDefaultThreshold;
  double roc_auc = 0.0;
  double pr_auc = 0.0;
  double log_loss = 0.0;
  double accuracy = 0.0;
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  ConfusionMatrix confusion;
};

/// All classification metrics in one call (one input check, one sort): the same
/// values, and the same errors, as the functions above. `probabilities` must lie in [0, 1]
/// (log loss needs them); both classes must occur (the AUCs need them).
/// @code
///   auto r = cairn::ml::binary_classification_report(y_test, model.predict(x_test));
///   tracking_run.log_metric("roc_auc", r.roc_auc);
/// @endcode
BinaryClassificationReport binary_classification_report(std::span<const double> labels,
                                                        std::span<const double> probabilities,
                                                        double threshold = kDefaultThreshold);

// --- regression and forecasting -----------------------------------------------------------
// `actual` and `predicted` are equally long, non-empty and finite; each function throws
// MetricError otherwise.

/// Mean absolute error: mean |ŷ − y|.
double mae(std::span<const double> actual, std::span<const double> predicted);
/// Root mean squared error: sqrt(mean (ŷ − y)²).
double rmse(std::span<const double> actual, std::span<const double> predicted);
/// Mean absolute percentage error as a fraction (0.1 = 10 %): mean |ŷ − y| / |y|, as
/// scikit-learn's mean_absolute_percentage_error. Throws MetricError when an actual value is 0
/// (scikit-learn divides by 2.2e-16 there and returns a meaningless 1e15-sized number); use
/// smape or mae for series with zeros.
double mape(std::span<const double> actual, std::span<const double> predicted);
/// Symmetric MAPE as a fraction in [0, 2]: mean 2·|ŷ − y| / (|y| + |ŷ|), a term with
/// y = ŷ = 0 counting 0.
double smape(std::span<const double> actual, std::span<const double> predicted);
/// Coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)², as scikit-learn's r2_score. When
/// all actual values are equal the ratio is undefined and, as in scikit-learn, the result is
/// 1 for a perfect prediction and 0 otherwise. Throws MetricError for fewer than 2 rows.
double r2(std::span<const double> actual, std::span<const double> predicted);
/// Mean error ŷ − y: positive when the model over-forecasts.
double bias(std::span<const double> actual, std::span<const double> predicted);

/// Every regression metric of one forecast. The two that are undefined for some inputs are
/// empty instead of throwing, so one report covers any backtest fold: `mape` when an actual
/// value is 0, `r2` when there are fewer than 2 rows.
struct RegressionReport {
  std::size_t rows = 0;
  double mae = 0.0;
  double rmse = 0.0;
  std::optional<double> mape;
  double smape = 0.0;
  std::optional<double> r2;
  double bias = 0.0;
};

/// All regression metrics in one call, with one input check.
/// @code
///   auto r = cairn::ml::regression_report(fold_actual, fold_forecast);
///   if (r.mape) tracking_run.log_metric("mape", *r.mape);
/// @endcode
RegressionReport regression_report(std::span<const double> actual,
                                   std::span<const double> predicted);

}  // namespace cairn::ml
