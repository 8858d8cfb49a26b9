#include "ml/metric_input.hpp"

#include <charconv>
#include <cmath>

#include "cairn/ml/metrics.hpp"

namespace cairn::ml::detail {

std::string number_text(double x) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), x);
  return std::string(buffer, end);
}

void require_paired(std::string_view metric, std::span<const double> a, std::string_view first,
                    std::span<const double> b, std::string_view second) {
  const std::string name(metric);
  if (a.size() != b.size()) {
    throw MetricError(name + ": " + std::string(first) + " and " + std::string(second) +
                      " differ in length (" + std::to_string(a.size()) + " " + std::string(first) +
                      ", " + std::to_string(b.size()) + " " + std::string(second) +
                      "); pass one value of each per row");
  }
  if (a.empty()) {
    throw MetricError(name + ": no rows; pass at least one row of " + std::string(first) + " and " +
                      std::string(second));
  }
  for (const auto& [values, what] : {std::pair{a, first}, std::pair{b, second}}) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) {
        throw MetricError(name + ": the value at index " + std::to_string(i) + " of " +
                          std::string(what) + " is " + number_text(values[i]) +
                          "; remove or impute rows with missing or infinite values first");
      }
    }
  }
}

std::size_t count_positive_labels(std::string_view metric, std::span<const double> labels) {
  std::size_t positives = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == 1.0) {
      ++positives;
    } else if (labels[i] != 0.0) {
      throw MetricError(std::string(metric) + ": label at index " + std::to_string(i) + " is " +
                        number_text(labels[i]) +
                        "; labels must be 0 (negative) or 1 (positive) — encode the positive "
                        "class as 1 first");
    }
  }
  return positives;
}

void require_both_classes(std::string_view metric, std::size_t rows, std::size_t positives) {
  if (positives == 0 || positives == rows) {
    throw MetricError(std::string(metric) + " needs both classes in the labels: all " +
                      std::to_string(rows) + " labels are " + (positives == 0 ? "0" : "1") +
                      "; evaluate on rows that hold both classes (a stratified_split keeps "
                      "them)");
  }
}

void require_probabilities(std::string_view metric, std::span<const double> probabilities) {
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0)) {
      throw MetricError(std::string(metric) + ": probability at index " + std::to_string(i) +
                        " is " + number_text(probabilities[i]) +
                        "; pass predicted probabilities of class 1 in [0, 1], not raw scores");
    }
  }
}

void require_threshold(std::string_view metric, double threshold) {
  if (std::isnan(threshold)) {
    throw MetricError(std::string(metric) + ": the threshold is NaN; pass a number such as 0.5");
  }
}

}  // namespace cairn::ml::detail
