#pragma once
// The model's features, computed the same way for training and for batch inference.
//
// Every encoding is a fixed rule rather than one learned from the training data (sub_grade A1..G5
// is its rank 0..34, emp_length "emp_ge_10" is 10 years, ...): the categories of lending_club are
// closed sets, so there is no encoder state to store next to the model, and a day's features can
// be computed without knowing which model will read them. addr_state is left out: 50 states over
// about 108 applications a day are too thin to learn from or to measure drift on.

#include <cairn/ml/matrix.hpp>
#include <cairn/ml/table.hpp>

#include <string>
#include <vector>

namespace credit {

/// The columns the model reads, in matrix order.
const std::vector<std::string>& feature_columns();

/// The label column: 1 for Class "bad" (the loan defaulted), 0 for "good".
inline constexpr const char* kLabel = "bad";

/// From validated applications (the lending_club columns plus application_id): application_id,
/// every feature_columns() column (float64, NaN where undefined, e.g. a ratio over a zero
/// income), and `bad` when the input has `Class`.
///
/// Derived ratios: loan_to_income = funded_amnt / annual_inc; installment_to_income = the
/// monthly installment of an amortized loan (funded_amnt at int_rate over the term) × 12 /
/// annual_inc; il_utilization = total_bal_il / total_il_high_credit_limit.
cairn::ml::Table build_features(const cairn::ml::Table& applications);

/// The feature matrix of a features table, for XGBoost.
cairn::ml::Matrix feature_matrix(const cairn::ml::Table& features);
/// The label column as 0/1 doubles.
std::vector<double> labels(const cairn::ml::Table& features);

}  // namespace credit
