#pragma once
// Input checks shared by the classification and regression metrics, so that every metric
// rejects the same bad input with the same words. Each throws cairn::ml::MetricError whose
// message starts with the metric's name.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace cairn::ml::detail {

/// Shortest text that reads back as `x` ("0.5", "1e-300", "nan").
std::string number_text(double x);

/// Both spans non-empty, equally long and free of NaN and infinity. `first` and `second` name
/// the spans in messages ("labels", "scores").
void require_paired(std::string_view metric, std::span<const double> a, std::string_view first,
                    std::span<const double> b, std::string_view second);

/// Every label is 0 or 1. Returns the number of 1s.
std::size_t count_positive_labels(std::string_view metric, std::span<const double> labels);

/// Both classes occur among `rows` labels of which `positives` are 1.
void require_both_classes(std::string_view metric, std::size_t rows, std::size_t positives);

/// Every value lies in [0, 1].
void require_probabilities(std::string_view metric, std::span<const double> probabilities);

/// The threshold is not NaN.
void require_threshold(std::string_view metric, double threshold);

}  // namespace cairn::ml::detail
