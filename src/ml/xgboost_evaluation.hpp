#pragma once
// Reading XGBoost's per-round evaluation text and deciding when to stop early, the way python's
// xgboost.train does, so a model trained here with early stopping ends at the same round as one
// trained in python with the same data and parameters.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/ml/xgboost_model.hpp"

namespace cairn::ml::xgb {

/// Parses what XGBoosterEvalOneIter returns, "[3]\ttrain-logloss:0.25\teval-logloss:0.31", into
/// results. `datasets` are the names given to XGBoost, which tell a data set's name from the
/// metric's (metric names may contain '-' and ':', e.g. "error@0.7"). Throws ModelError on text
/// in another shape.
std::vector<EvalResult> parse_eval_line(std::string_view line,
                                        std::span<const std::string> datasets);

/// Python xgboost's default direction: larger is better for metrics starting with auc, aucpr,
/// map or ndcg (but not mape).
bool larger_is_better(std::string_view metric);

/// Stops after `rounds` rounds without a strict improvement over the best score so far; the
/// first round's score is the first best. A NaN score never improves.
class EarlyStopping {
 public:
  EarlyStopping(int rounds, bool maximize) : rounds_(rounds), maximize_(maximize) {}

  /// Records the score of `iteration`; true when training should stop now.
  bool update(int iteration, double score);

  int best_iteration() const { return best_iteration_; }
  double best_score() const { return best_score_; }

 private:
  int rounds_;
  bool maximize_;
  int best_iteration_ = -1;
  double best_score_ = 0;
  int rounds_without_improvement_ = 0;
};

}  // namespace cairn::ml::xgb
