#pragma once
// Checks shared by the model classes on what they are given to train on and predict from, so
// that every model reports a bad matrix or bad labels with the same words.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/ml/matrix.hpp"

namespace cairn::ml::detail {

/// A matrix to train on: values.size() == rows * cols, at least one row and one column, and
/// column names either absent or one unique name per column. `model` names the model in the
/// message ("XGBoost", "ridge regression"). Throws ModelError.
void check_training_matrix(const Matrix& x, std::string_view model);

/// One finite label per row. `what` names the labels ("training labels").
void check_labels(std::span<const double> y, std::size_t rows, std::string_view what);

/// `other` (an evaluation matrix) has `train`'s columns: the same count, and the same names when
/// both have names.
void check_same_columns(const Matrix& train, const Matrix& other, std::string_view what);

/// A matrix to predict from: consistent shape, `num_features` columns, and the model's feature
/// names in order when both the model and the matrix have names.
void check_prediction_matrix(const Matrix& x, const std::vector<std::string>& feature_names,
                             std::size_t num_features, std::string_view model);

}  // namespace cairn::ml::detail
