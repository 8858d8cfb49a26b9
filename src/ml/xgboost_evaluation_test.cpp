#include "ml/xgboost_evaluation.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cairn::ml::xgb {
namespace {

const std::vector<std::string> kDatasets = {"train", "eval"};

TEST(ParseEvalLine, ReadsEveryDataSetAndMetricAsXGBoostPrintsThem) {
  auto results = parse_eval_line(
      "[12]\ttrain-logloss:0.44949534863233565\ttrain-error@0.7:0.445\teval-ndcg@5-:1", kDatasets);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].dataset, "train");
  EXPECT_EQ(results[0].metric, "logloss");
  EXPECT_EQ(results[0].value, 0.44949534863233565);
  EXPECT_EQ(results[1].name(), "train-error@0.7");
  EXPECT_EQ(results[1].value, 0.445);
  EXPECT_EQ(results[2].name(), "eval-ndcg@5-");
  EXPECT_EQ(results[2].value, 1.0);
}

TEST(ParseEvalLine, TextInAnotherShapeIsAModelError) {
  EXPECT_THROW(parse_eval_line("train-logloss:0.4", kDatasets), ModelError);
  EXPECT_THROW(parse_eval_line("[0]\ttest-logloss:0.4", kDatasets), ModelError);
  EXPECT_THROW(parse_eval_line("[0]\ttrain-logloss=0.4", kDatasets), ModelError);
  EXPECT_THROW(parse_eval_line("[0]\ttrain-logloss:zero", kDatasets), ModelError);
  EXPECT_TRUE(parse_eval_line("[0]", kDatasets).empty());
}

TEST(LargerIsBetter, FollowsPythonsDefaults) {
  for (const char* metric : {"auc", "aucpr", "map", "ndcg", "ndcg@5", "map@10"}) {
    EXPECT_TRUE(larger_is_better(metric)) << metric;
  }
  for (const char* metric : {"logloss", "rmse", "error", "mape", "mae", "merror"}) {
    EXPECT_FALSE(larger_is_better(metric)) << metric;
  }
}

TEST(EarlyStopping, StopsAfterRoundsWithoutStrictImprovement) {
  EarlyStopping stopping(2, /*maximize=*/false);
  EXPECT_FALSE(stopping.update(0, 0.5));
  EXPECT_FALSE(stopping.update(1, 0.4));
  EXPECT_FALSE(stopping.update(2, 0.4)) << "equal is not better";
  EXPECT_FALSE(stopping.update(3, 0.3));
  EXPECT_FALSE(stopping.update(4, 0.35));
  EXPECT_TRUE(stopping.update(5, 0.31));
  EXPECT_EQ(stopping.best_iteration(), 3);
  EXPECT_EQ(stopping.best_score(), 0.3);
}

TEST(EarlyStopping, MaximizesAndNeverImprovesOnNaN) {
  EarlyStopping up(1, /*maximize=*/true);
  EXPECT_FALSE(up.update(0, 0.6));
  EXPECT_FALSE(up.update(1, 0.7));
  EXPECT_TRUE(up.update(2, std::nan("")));
  EXPECT_EQ(up.best_iteration(), 1);
}

}  // namespace
}  // namespace cairn::ml::xgb
