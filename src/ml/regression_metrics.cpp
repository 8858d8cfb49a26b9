// Regression and forecasting metrics. Every mean is a compensated sum divided by n, so a metric
// over millions of rows keeps full double precision.

#include <cmath>
#include <optional>
#include <string>

#include "cairn/ml/metrics.hpp"
#include "ml/compensated_sum.hpp"
#include "ml/metric_input.hpp"

namespace cairn::ml {

namespace {

template <class Term>
double mean_of(std::span<const double> actual, std::span<const double> predicted, Term term) {
  detail::CompensatedSum sum;
  for (std::size_t i = 0; i < actual.size(); ++i) sum.add(term(actual[i], predicted[i]));
  return sum.value() / static_cast<double>(actual.size());
}

double absolute_error(double y, double y_hat) {
  return std::abs(y_hat - y);
}
double squared_error(double y, double y_hat) {
  return (y_hat - y) * (y_hat - y);
}
double error(double y, double y_hat) {
  return y_hat - y;
}
double absolute_percentage_error(double y, double y_hat) {
  return std::abs(y_hat - y) / std::abs(y);
}
double symmetric_percentage_error(double y, double y_hat) {
  const double denominator = std::abs(y) + std::abs(y_hat);
  return denominator == 0.0 ? 0.0 : 2.0 * std::abs(y_hat - y) / denominator;
}

/// The index of the first actual value that is 0, if any.
std::optional<std::size_t> first_zero(std::span<const double> actual) {
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] == 0.0) return i;
  }
  return std::nullopt;
}

/// R² of at least 2 rows.
double r2_of(std::span<const double> actual, std::span<const double> predicted) {
  detail::CompensatedSum sum;
  for (double y : actual) sum.add(y);
  const double mean = sum.value() / static_cast<double>(actual.size());
  detail::CompensatedSum total;
  detail::CompensatedSum residual;
  bool constant = true;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    total.add((actual[i] - mean) * (actual[i] - mean));
    residual.add(squared_error(actual[i], predicted[i]));
    constant = constant && actual[i] == actual[0];
  }
  // A constant series has no variance to explain. scikit-learn (force_finite=True) answers 1 for
  // a perfect prediction and 0 otherwise; the explicit test keeps an inexact mean of equal
  // values from turning 0 into a tiny denominator.
  if (constant || total.value() == 0.0) return residual.value() == 0.0 ? 1.0 : 0.0;
  return 1.0 - residual.value() / total.value();
}

}  // namespace

double mae(std::span<const double> actual, std::span<const double> predicted) {
  detail::require_paired("mae", actual, "actual", predicted, "predicted");
  return mean_of(actual, predicted, absolute_error);
}

double rmse(std::span<const double> actual, std::span<const double> predicted) {
  detail::require_paired("rmse", actual, "actual", predicted, "predicted");
  return std::sqrt(mean_of(actual, predicted, squared_error));
}

double mape(std::span<const double> actual, std::span<const double> predicted) {
  detail::require_paired("mape", actual, "actual", predicted, "predicted");
  if (auto zero = first_zero(actual)) {
    throw MetricError("mape: the actual value at index " + std::to_string(*zero) +
                      " is 0, where a percentage error is undefined; use smape or mae for "
                      "series that contain zeros");
  }
  return mean_of(actual, predicted, absolute_percentage_error);
}

double smape(std::span<const double> actual, std::span<const double> predicted) {
  detail::require_paired("smape", actual, "actual", predicted, "predicted");
  return mean_of(actual, predicted, symmetric_percentage_error);
}

double r2(std::span<const double> actual, std::span<const double> predicted) {
  detail::require_paired("r2", actual, "actual", predicted, "predicted");
  if (actual.size() < 2) {
    throw MetricError("r2: needs at least 2 rows to measure variance, got 1");
  }
  return r2_of(actual, predicted);
}

double bias(std::span<const double> actual, std::span<const double> predicted) {
  detail::require_paired("bias", actual, "actual", predicted, "predicted");
  return mean_of(actual, predicted, error);
}

RegressionReport regression_report(std::span<const double> actual,
                                   std::span<const double> predicted) {
  detail::require_paired("regression_report", actual, "actual", predicted, "predicted");
  RegressionReport r;
  r.rows = actual.size();
  r.mae = mean_of(actual, predicted, absolute_error);
  r.rmse = std::sqrt(mean_of(actual, predicted, squared_error));
  if (!first_zero(actual)) r.mape = mean_of(actual, predicted, absolute_percentage_error);
  r.smape = mean_of(actual, predicted, symmetric_percentage_error);
  if (actual.size() >= 2) r.r2 = r2_of(actual, predicted);
  r.bias = mean_of(actual, predicted, error);
  return r;
}

}  // namespace cairn::ml
