#pragma once
/// @file xgboost_model.hpp
/// Gradient-boosted trees trained and run by XGBoost (through its C API), stored in XGBoost's own
/// JSON or UBJ format — the "native flavor": a model saved here loads in python's
/// `xgboost.Booster(model_file=...)` and a model saved by python loads here, with the same
/// predictions. docs/ml-models.md has the details.
///
/// @code
///   using namespace cairn::ml;
///   XGBoostParams params;
///   params.booster_params = {{"objective", "binary:logistic"}, {"max_depth", "4"}, {"eta",
///   "0.1"}}; params.num_boost_round = 500; params.early_stopping_rounds = 20; params.eval_metrics
///   = {"auc"}; XGBoostModel model = XGBoostModel::train(train_x, train_y, params, {&valid_x,
///   valid_y},
///       [&](const BoostingRound& round) {
///         ctx.throw_if_cancelled();
///         for (const EvalResult& r : round.results) log_metric(r.name(), r.value,
///         round.iteration);
///       });
///   std::vector<double> p = model.predict(test_x);  // uses rounds 0..best_iteration()
///   model.save("model.ubj");                        // python: xgboost.Booster(model_file=...)
/// @endcode

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cairn/codec.hpp"
#include "cairn/ml/matrix.hpp"
#include "cairn/ml/model_error.hpp"

namespace cairn::ml {

/// XGBoost's two model formats: a JSON document, or the same document as Universal Binary JSON
/// (smaller, faster to load). Both hold exactly the same model.
enum class XGBoostFormat { kJson, kUbj };

/// What feature_importance() measures, as XGBoost defines it: how often a feature splits
/// (weight), the average or total loss reduction of its splits (gain, total_gain), and the
/// average or total number of training rows its splits saw (cover, total_cover).
enum class ImportanceType { kWeight, kGain, kCover, kTotalGain, kTotalCover };

struct XGBoostParams {
  /// Booster parameters with XGBoost's names and values as text: "objective", "eta",
  /// "max_depth", "tree_method", "subsample", ... (XGBoost's parameter documentation). A name
  /// XGBoost does not know is reported by XGBoost as a warning; a bad value fails training with
  /// XGBoost's message. "nthread", "seed" and "eval_metric" are the fields below.
  std::map<std::string, std::string> booster_params;
  /// Boosting rounds; with early stopping, the most rounds. Must be at least 1.
  int num_boost_round = 100;
  /// Stop when the evaluation set's score has not improved for this many rounds; 0 = never.
  /// Needs an evaluation set. Predictions then use the rounds up to the best one.
  int early_stopping_rounds = 0;
  /// Metrics XGBoost computes on the evaluation data each round ("auc", "logloss", "rmse",
  /// "error@0.7", ...); empty means the objective's default. The last one drives early stopping.
  std::vector<std::string> eval_metrics;
  /// Whether a larger early-stopping metric is better. Default: as python's xgboost decides —
  /// true for metrics starting with auc, aucpr, map or ndcg, false otherwise.
  std::optional<bool> maximize;
  /// Also evaluate the metrics on the training data each round (dataset "train").
  bool evaluate_training_set = false;
  /// Threads XGBoost uses; 0 = all cores.
  int nthread = 0;
  /// Seed of XGBoost's random number generator (row and column subsampling).
  std::uint64_t seed = 0;
};

/// One metric on one data set after one round: dataset "train" or "eval", the metric as XGBoost
/// names it, and its value.
struct EvalResult {
  std::string dataset;
  std::string metric;
  double value = 0;
  /// "<dataset>-<metric>", as XGBoost prints it: "eval-auc".
  std::string name() const { return dataset + "-" + metric; }
};

/// What one boosting round produced: its 0-based iteration and the evaluation results (empty
/// when there is nothing to evaluate).
struct BoostingRound {
  int iteration = 0;
  std::vector<EvalResult> results;
};

/// Called after every round. Throwing (e.g. Context::throw_if_cancelled()) abandons the training;
/// the exception reaches the caller of train().
using RoundCallback = std::function<void(const BoostingRound&)>;

/// Held-out data evaluated each round (dataset "eval"); `x` null means none. The matrix and labels
/// must outlive the train() call.
struct EvalSet {
  const Matrix* x = nullptr;
  std::span<const double> y;
};

/// A trained XGBoost booster. Immutable: copies share it, and predict(), feature_importance(),
/// save() and to_bytes() may be called from several threads at once.
class XGBoostModel {
 public:
  /// Boosts round by round on `x` (NaN = missing) and labels `y` (one per row, finite), evaluating
  /// `eval` each round. With early stopping it keeps the best iteration and score and records
  /// them in the model as python's xgboost does (attributes best_iteration, best_score,
  /// best_ntree_limit). Throws ModelError for inconsistent input or a failure inside XGBoost
  /// (with XGBoost's message).
  static XGBoostModel train(const Matrix& x, std::span<const double> y, const XGBoostParams& params,
                            EvalSet eval = {}, const RoundCallback& on_round = {});

  /// Loads XGBoost's JSON or UBJ format (told apart by content), whoever wrote it. Throws
  /// ModelError naming the path, with XGBoost's message, if the file is not an XGBoost model.
  static XGBoostModel load(const std::string& path);
  static XGBoostModel from_bytes(std::string_view bytes);

  /// One prediction per row (the objective's output: a probability for binary:logistic), using
  /// rounds 0..best_iteration(). Multi-output objectives (multi:softprob) give
  /// `rows * outputs` values, row-major. The matrix must have the training columns: the same
  /// count, and the same names in the same order when both have names.
  std::vector<double> predict(const Matrix& x) const;

  /// Feature name (or "f<index>" when the model has no names) → importance. Features no tree
  /// splits on are absent, as in XGBoost.
  std::map<std::string, double> feature_importance(
      ImportanceType type = ImportanceType::kGain) const;

  /// Writes JSON for a ".json" path and UBJ for ".ubj" (as XGBoost and python choose); any other
  /// extension is a ModelError. The file is replaced atomically.
  void save(const std::string& path) const;
  std::string to_bytes(XGBoostFormat format = XGBoostFormat::kUbj) const;

  /// The training matrix's column names; empty when it had none.
  const std::vector<std::string>& feature_names() const;
  std::size_t num_features() const;
  /// Rounds in the model, including those after the best one when training stopped early.
  int num_boosted_rounds() const;
  /// The round predictions end at: the best one with early stopping, otherwise the last.
  int best_iteration() const;
  /// The best early-stopping score; empty when the model was trained without early stopping.
  std::optional<double> best_score() const;
  /// Every round's evaluation results from train(); empty for a loaded model (XGBoost's format
  /// does not store them).
  const std::vector<BoostingRound>& evaluation_history() const;

 private:
  struct State;
  // `source` starts the error message: "'model.ubj' is", "the bytes are".
  static XGBoostModel from_bytes_of(std::string_view bytes, const std::string& source);
  explicit XGBoostModel(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

/// The XGBoost name of an importance type: "weight", "gain", "cover", "total_gain",
/// "total_cover".
std::string_view to_string(ImportanceType type);

}  // namespace cairn::ml

namespace cairn {

/// XGBoost models as assets: the stored value is XGBoost's own UBJ, not wrapped, so the value file
/// loads directly in python (`xgboost.Booster(model_file=path)`).
template <>
struct Codec<ml::XGBoostModel> {
  static constexpr const char* name = "xgboost/ubj";
  static std::string encode(const ml::XGBoostModel& model) {
    return model.to_bytes(ml::XGBoostFormat::kUbj);
  }
  static ml::XGBoostModel decode(std::string_view bytes) {
    return ml::XGBoostModel::from_bytes(bytes);
  }
};

}  // namespace cairn
