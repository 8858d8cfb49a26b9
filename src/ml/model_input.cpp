#include "ml/model_input.hpp"

#include <cmath>
#include <unordered_set>

#include "cairn/ml/model_error.hpp"

namespace cairn::ml::detail {

namespace {

void check_shape(const Matrix& x, std::string_view what) {
  if (x.values.size() != x.rows * x.cols) {
    throw ModelError(std::string(what) + " is malformed: it has " +
                     std::to_string(x.values.size()) + " values for " + std::to_string(x.rows) +
                     " rows × " + std::to_string(x.cols) + " columns");
  }
  if (!x.column_names.empty() && x.column_names.size() != x.cols) {
    throw ModelError(std::string(what) + " has " + std::to_string(x.column_names.size()) +
                     " column names for " + std::to_string(x.cols) +
                     " columns; give one name per column or none");
  }
}

// The first column where the names differ, or npos.
std::size_t first_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) return i;
  }
  return std::string::npos;
}

}  // namespace

void check_training_matrix(const Matrix& x, std::string_view model) {
  std::string what = "the " + std::string(model) + " training matrix";
  check_shape(x, what);
  if (x.rows == 0 || x.cols == 0) {
    throw ModelError(what + " is empty (" + std::to_string(x.rows) + " rows × " +
                     std::to_string(x.cols) + " columns); a model needs rows and features");
  }
  std::unordered_set<std::string_view> seen;
  for (const std::string& name : x.column_names) {
    if (!seen.insert(name).second) {
      throw ModelError(what + " has two columns named '" + name +
                       "'; feature names must be unique");
    }
  }
}

void check_labels(std::span<const double> y, std::size_t rows, std::string_view what) {
  if (y.size() != rows) {
    throw ModelError(std::string(what) + ": " + std::to_string(y.size()) + " labels for " +
                     std::to_string(rows) + " rows; give one label per row");
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw ModelError(std::string(what) + ": the label of row " + std::to_string(i) + " is " +
                       (std::isnan(y[i]) ? "NaN" : "infinite") +
                       "; drop rows without a label before training");
    }
  }
}

void check_same_columns(const Matrix& train, const Matrix& other, std::string_view what) {
  check_shape(other, what);
  if (other.cols != train.cols) {
    throw ModelError(std::string(what) + " has " + std::to_string(other.cols) +
                     " columns but the training matrix has " + std::to_string(train.cols));
  }
  if (train.column_names.empty() || other.column_names.empty()) return;
  std::size_t i = first_difference(train.column_names, other.column_names);
  if (i != std::string::npos) {
    throw ModelError(std::string(what) + ": column " + std::to_string(i) + " is '" +
                     other.column_names[i] + "' but in the training matrix it is '" +
                     train.column_names[i] + "'; build both from the same columns");
  }
}

void check_prediction_matrix(const Matrix& x, const std::vector<std::string>& feature_names,
                             std::size_t num_features, std::string_view model) {
  std::string what = "the matrix to predict from";
  check_shape(x, what);
  if (x.cols != num_features) {
    throw ModelError(what + " has " + std::to_string(x.cols) + " columns but the " +
                     std::string(model) + " model was trained on " + std::to_string(num_features) +
                     " features");
  }
  if (feature_names.empty() || x.column_names.empty()) return;
  std::size_t i = first_difference(feature_names, x.column_names);
  if (i != std::string::npos) {
    throw ModelError(what + ": column " + std::to_string(i) + " is '" + x.column_names[i] +
                     "' but the " + std::string(model) + " model expects '" + feature_names[i] +
                     "' there; select the training columns in the training order");
  }
}

}  // namespace cairn::ml::detail
