#pragma once
// The credit-scoring model: the training set and its split, the hyperparameter grid, the XGBoost
// estimator, and the evaluation result that selects one variant.

#include <cairn/codec.hpp>
#include <cairn/ml/table.hpp>
#include <cairn/ml/xgboost_model.hpp>
#include <cairn/tracking.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace credit {

/// The split column of the training set: "train" (fitted on), "valid" (early stopping and
/// variant selection) or "test" (the held-out evaluation), stratified by the label so each part
/// has the file's default rate: 60 % / 20 % / 20 %.
inline constexpr const char* kSplitColumn = "split";
inline constexpr std::uint64_t kSplitSeed = 20160101;

/// Rows of `features` (the days before the cutoff, in day order) with the split column added.
cairn::ml::Table with_split(const cairn::ml::Table& features);
/// The rows whose split is one of `parts`.
cairn::ml::Table split_rows(const cairn::ml::Table& training_set,
                            const std::vector<std::string>& parts);

/// P(default) at or above which an application is declined: about twice the 5 % default rate
/// of the data, the operating point for precision, recall, F1 and batch decisions.
inline constexpr double kDeclineThreshold = 0.1;

/// One point of the hyperparameter grid: a partition key of trained_model and XGBoost booster
/// parameters.
struct Variant {
  std::string name;
  std::map<std::string, std::string> booster_params;
};
/// The grid, in partition order.
const std::vector<Variant>& variants();
std::vector<std::string> variant_names();
/// Throws cairn::Error naming the known variants.
const Variant& variant(const std::string& name);

/// How long to boost, from trained_model's config.
struct BoostingOptions {
  int num_boost_round = 300;
  int early_stopping_rounds = 30;
};

/// An XGBoost scorer of P(default), as a cairn::ml::Estimator: fit() trains on the "train" rows
/// of a training set and stops early on its "valid" rows (eval AUC), recording every round's
/// validation AUC and log loss.
class CreditScorer {
 public:
  CreditScorer(Variant variant, BoostingOptions options);

  void fit(const cairn::ml::Table& training_set);
  std::vector<double> predict(const cairn::ml::Table& features) const;
  std::map<std::string, std::string> params() const;
  std::string flavor() const { return "xgboost/ubj"; }
  std::string to_bytes() const;
  std::vector<cairn::tracking::Metric> training_metrics() const;

  /// The fitted booster. Throws cairn::Error before fit().
  const cairn::ml::XGBoostModel& model() const;

 private:
  Variant variant_;
  BoostingOptions options_;
  std::optional<cairn::ml::XGBoostModel> model_;
};

/// What evaluation decided: the variant with the best validation AUC and its metrics on the
/// held-out test rows at the decision threshold.
struct CreditEvaluation {
  std::string variant = {};
  double valid_auc = 0;
  int best_iteration = 0;
  double threshold = 0;
  std::map<std::string, double> test_metrics = {};  ///< roc_auc, pr_auc, precision, recall, f1, ...
  std::map<std::string, double> valid_auc_by_variant = {};
};

}  // namespace credit

namespace cairn {

/// Stored as a small JSON document, readable with `cat`.
template <>
struct Codec<credit::CreditEvaluation> {
  static constexpr const char* name = "credit-evaluation/json";
  static std::string encode(const credit::CreditEvaluation& value);
  static credit::CreditEvaluation decode(std::string_view bytes);
};

}  // namespace cairn
