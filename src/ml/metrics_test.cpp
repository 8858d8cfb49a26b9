// Metrics on inputs small enough to compute by hand, and every kind of bad input.
// metrics_oracle_test.cpp compares with scikit-learn on larger and real inputs.

#include "cairn/ml/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ml/radix_sort.hpp"

namespace cairn::ml {
namespace {

using ::testing::HasSubstr;
using Values = std::vector<double>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// The message of the MetricError that `f` throws, or "" when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const MetricError& e) {
    return e.what();
  }
  return "";
}

TEST(RocAuc, ScikitLearnDocumentationExample) {
  // roc_auc_score's and average_precision_score's documented example.
  Values labels{0, 0, 1, 1}, scores{0.1, 0.4, 0.35, 0.8};
  EXPECT_DOUBLE_EQ(roc_auc(labels, scores), 0.75);
  EXPECT_DOUBLE_EQ(pr_auc(labels, scores), 0.5 * 1.0 + 0.5 * (2.0 / 3.0));
}

TEST(RocAuc, TiedScoresCountHalf) {
  // Pairs (positive, negative): 0.9 vs 0.9 is a tie (½), 0.9 vs 0.1 and 0.3 vs 0.1 are right,
  // 0.3 vs 0.9 is wrong: 2.5 of 4.
  Values labels{1, 0, 1, 0}, scores{0.9, 0.9, 0.3, 0.1};
  EXPECT_DOUBLE_EQ(roc_auc(labels, scores), 0.625);
  // Thresholds 0.9 (precision ½, recall ½) and 0.3 (precision ⅔, recall 1).
  EXPECT_DOUBLE_EQ(pr_auc(labels, scores), 0.5 * 0.5 + 0.5 * (2.0 / 3.0));
}

TEST(RocAuc, AllScoresEqualIsChance) {
  Values labels{1, 0, 0, 0}, scores{0.3, 0.3, 0.3, 0.3};
  EXPECT_DOUBLE_EQ(roc_auc(labels, scores), 0.5);
  EXPECT_DOUBLE_EQ(pr_auc(labels, scores), 0.25);
}

TEST(RocAuc, PerfectAndInvertedClassifiers) {
  Values labels{0, 1, 0, 1, 1}, good{-3, 2, -1, 5, 0}, bad{3, -2, 1, -5, 0};
  EXPECT_EQ(roc_auc(labels, good), 1.0);
  EXPECT_EQ(pr_auc(labels, good), 1.0);
  EXPECT_EQ(roc_auc(labels, bad), 0.0);
}

TEST(RocAuc, NegativeZeroTiesWithZero) {
  Values labels{1, 0}, scores{0.0, -0.0};
  EXPECT_EQ(roc_auc(labels, scores), 0.5);
}

TEST(RocAuc, LargeInputAgreesWithPairCounting) {
  // Above the radix sort's cut-over to std::sort; many ties and negative scores.
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> score(-300, 300);
  Values labels(6000), scores(6000);
  std::vector<int> positives, negatives;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    labels[i] = static_cast<double>(rng() % 3 == 0);
    const int s = score(rng);
    scores[i] = s / 7.0;
    (labels[i] == 1.0 ? positives : negatives).push_back(s);
  }
  double wins = 0.0;
  for (int p : positives) {
    for (int n : negatives) wins += p > n ? 1.0 : p == n ? 0.5 : 0.0;
  }
  const double expected =
      wins / (static_cast<double>(positives.size()) * static_cast<double>(negatives.size()));
  EXPECT_NEAR(roc_auc(labels, scores), expected, 1e-12);
}

TEST(RadixSort, OrdersLikeStdSort) {
  std::mt19937_64 rng(3);
  std::vector<double> values{0.0,
                             -0.0,
                             kInf,
                             -kInf,
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             1e308,
                             -1e308};
  std::normal_distribution<double> normal(0.0, 1e3);
  while (values.size() < 10000) values.push_back(normal(rng));
  std::vector<std::uint64_t> keys;
  for (double v : values) keys.push_back(detail::order_key(v));
  detail::radix_sort(keys);
  std::sort(values.begin(), values.end());
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(keys[i], detail::order_key(values[i])) << "at " << i;
  }
  EXPECT_EQ(detail::order_key(0.0), detail::order_key(-0.0));
}

TEST(LogLoss, ScikitLearnDocumentationExample) {
  Values labels{1, 0, 0, 1}, p{0.9, 0.1, 0.2, 0.65};
  const double expected = -(std::log(0.9) + std::log(0.9) + std::log(0.8) + std::log(0.65)) / 4.0;
  EXPECT_NEAR(log_loss(labels, p), expected, 1e-15);
  EXPECT_NEAR(log_loss(labels, p), 0.21616187468057912, 1e-15);
}

TEST(LogLoss, ClipsCertainMistakesAtEpsilon) {
  const double worst = -std::log(kLogLossEpsilon);
  EXPECT_DOUBLE_EQ(log_loss(Values{1}, Values{0.0}), worst);
  EXPECT_DOUBLE_EQ(log_loss(Values{0}, Values{1.0}), worst);
  EXPECT_NEAR(worst, 36.04365338911715, 1e-12);
  EXPECT_DOUBLE_EQ(log_loss(Values{1, 0}, Values{1.0, 0.0}), -std::log(1.0 - kLogLossEpsilon));
}

TEST(LogLoss, OneClassIsFine) {
  EXPECT_DOUBLE_EQ(log_loss(Values{1, 1}, Values{0.5, 0.5}), std::log(2.0));
}

TEST(ConfusionMatrix, ScoreAtThresholdIsPositive) {
  Values labels{1, 1, 0, 0, 1}, scores{0.5, 0.2, 0.5, 0.1, 0.9};
  const ConfusionMatrix m = confusion_matrix(labels, scores);
  EXPECT_EQ(m, (ConfusionMatrix{.tn = 1, .fp = 1, .fn = 1, .tp = 2}));
  EXPECT_EQ(m.total(), 5u);
  EXPECT_DOUBLE_EQ(accuracy(labels, scores), 0.6);
  EXPECT_DOUBLE_EQ(precision(labels, scores), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(recall(labels, scores), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(f1(labels, scores), 2.0 / 3.0);
  EXPECT_EQ(confusion_matrix(labels, scores, 0.6), (ConfusionMatrix{2, 0, 2, 1}));
}

TEST(ConfusionMatrix, HardPredictionsWorkWithTheDefaultThreshold) {
  Values labels{1, 0, 1, 0}, predicted{1, 1, 0, 0};
  EXPECT_EQ(confusion_matrix(labels, predicted), (ConfusionMatrix{1, 1, 1, 1}));
}

TEST(ConfusionMatrix, UndefinedRatiosAreZeroAsInScikitLearn) {
  // Nothing predicted positive: precision 0/0. No positive label: recall 0/0.
  Values labels{1, 0}, low{0.1, 0.2};
  EXPECT_EQ(precision(labels, low), 0.0);
  EXPECT_EQ(f1(labels, low), 0.0);
  EXPECT_EQ(recall(Values{0, 0}, Values{0.9, 0.1}), 0.0);
  EXPECT_EQ(ConfusionMatrix{}.accuracy(), 0.0);
}

TEST(BinaryClassificationReport, HasEveryMetric) {
  Values labels{0, 0, 1, 1}, p{0.1, 0.4, 0.35, 0.8};
  const BinaryClassificationReport r = binary_classification_report(labels, p, 0.3);
  EXPECT_EQ(r.rows, 4u);
  EXPECT_EQ(r.positives, 2u);
  EXPECT_EQ(r.threshold, 0.3);
  EXPECT_DOUBLE_EQ(r.roc_auc, 0.75);
  EXPECT_EQ(r.pr_auc, pr_auc(labels, p));
  EXPECT_EQ(r.log_loss, log_loss(labels, p));
  EXPECT_EQ(r.confusion, (ConfusionMatrix{1, 1, 0, 2}));
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(r.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.recall, 1.0);
  EXPECT_DOUBLE_EQ(r.f1, 0.8);
}

TEST(ClassificationErrors, NameTheProblemAndTheFix) {
  Values labels{0, 1, 1}, scores{0.2, 0.4, 0.9};
  EXPECT_THAT(error_of([] { roc_auc(Values{}, Values{}); }), HasSubstr("roc_auc: no rows"));
  EXPECT_THAT(error_of([&] {
                roc_auc(labels, Values{0.1, 0.2});
              }),
              HasSubstr("roc_auc: labels and scores differ in length (3 labels, 2 scores)"));
  EXPECT_THAT(error_of([&] {
                pr_auc(Values{0, kNaN, 1}, scores);
              }),
              HasSubstr("pr_auc: the value at index 1 of labels is nan"));
  EXPECT_THAT(error_of([&] {
                roc_auc(labels, Values{0.1, kInf, 0.3});
              }),
              HasSubstr("the value at index 1 of scores is inf"));
  EXPECT_THAT(error_of([&] {
                roc_auc(Values{0, 2, 1}, scores);
              }),
              HasSubstr("roc_auc: label at index 1 is 2; labels must be 0 (negative) or 1"));
  EXPECT_THAT(error_of([&] {
                f1(Values{0, -1, 1}, scores);
              }),
              HasSubstr("f1: label at index 1 is -1"));
  EXPECT_THAT(error_of([&] { accuracy(labels, scores, kNaN); }), HasSubstr("threshold is NaN"));
  EXPECT_THAT(error_of([&] {
                log_loss(labels, Values{0.2, 1.5, 0.1});
              }),
              HasSubstr("log_loss: probability at index 1 is 1.5; pass predicted probabilities"));
  EXPECT_THAT(error_of([&] {
                log_loss(labels, Values{0.2, 0.5, -0.1});
              }),
              HasSubstr("probability at index 2 is -0.1"));
}

TEST(ClassificationErrors, OneClassOnlyIsAnErrorForTheAreas) {
  const Values ones(1200, 1.0), zeros(5, 0.0);
  const Values scores(1200, 0.5);
  EXPECT_THAT(error_of([&] { roc_auc(ones, scores); }),
              HasSubstr("roc_auc needs both classes in the labels: all 1200 labels are 1"));
  EXPECT_THAT(error_of([&] { pr_auc(zeros, Values(5, 0.5)); }),
              HasSubstr("pr_auc needs both classes in the labels: all 5 labels are 0"));
  EXPECT_THAT(error_of([&] { binary_classification_report(ones, scores); }),
              HasSubstr("binary_classification_report needs both classes"));
  EXPECT_THAT(error_of([] {
                binary_classification_report(Values{0, 1}, Values{0.5, 2.0});
              }),
              HasSubstr("probability at index 1 is 2"));
  EXPECT_THAT(error_of([] {
                binary_classification_report(Values{0, 1}, Values{0.5, 0.2}, kNaN);
              }),
              HasSubstr("threshold is NaN"));
}

TEST(Regression, HandComputedValues) {
  // scikit-learn's documentation example for mean_absolute_percentage_error and r2_score.
  Values y{3, -0.5, 2, 7}, y_hat{2.5, 0.0, 2, 8};
  EXPECT_DOUBLE_EQ(mae(y, y_hat), 0.5);
  EXPECT_DOUBLE_EQ(rmse(y, y_hat), std::sqrt(0.375));
  EXPECT_DOUBLE_EQ(mape(y, y_hat), (0.5 / 3 + 0.5 / 0.5 + 0.0 + 1.0 / 7) / 4);
  EXPECT_NEAR(mape(y, y_hat), 0.3273809523809524, 1e-15);
  EXPECT_DOUBLE_EQ(smape(y, y_hat), (1.0 / 5.5 + 1.0 / 0.5 + 0.0 + 2.0 / 15) / 4);
  EXPECT_DOUBLE_EQ(r2(y, y_hat), 1.0 - 1.5 / 29.1875);
  EXPECT_NEAR(r2(y, y_hat), 0.948, 1e-3);
  EXPECT_DOUBLE_EQ(bias(y, y_hat), 0.25);
}

TEST(Regression, SmapeCountsZeroOverZeroAsZero) {
  EXPECT_EQ(smape(Values{0, 1}, Values{0, 1}), 0.0);
  EXPECT_DOUBLE_EQ(smape(Values{0, 0}, Values{0, 3}), 1.0);
}

TEST(Regression, R2OfConstantActualsFollowsScikitLearn) {
  EXPECT_EQ(r2(Values{0.1, 0.1, 0.1}, Values{0.1, 0.1, 0.1}), 1.0);
  EXPECT_EQ(r2(Values{0.1, 0.1, 0.1}, Values{0.1, 0.2, 0.1}), 0.0);
}

TEST(Regression, ReportLeavesUndefinedMetricsEmpty) {
  const RegressionReport with_zero = regression_report(Values{0, 2}, Values{1, 2});
  EXPECT_EQ(with_zero.rows, 2u);
  EXPECT_FALSE(with_zero.mape.has_value());
  ASSERT_TRUE(with_zero.r2.has_value());
  EXPECT_DOUBLE_EQ(*with_zero.r2, 1.0 - 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(with_zero.mae, 0.5);
  EXPECT_DOUBLE_EQ(with_zero.smape, 1.0);

  const RegressionReport one = regression_report(Values{4}, Values{3});
  EXPECT_FALSE(one.r2.has_value());
  ASSERT_TRUE(one.mape.has_value());
  EXPECT_DOUBLE_EQ(*one.mape, 0.25);
  EXPECT_DOUBLE_EQ(one.rmse, 1.0);
  EXPECT_DOUBLE_EQ(one.bias, -1.0);
}

TEST(RegressionErrors, NameTheProblemAndTheFix) {
  EXPECT_THAT(error_of([] { mae(Values{}, Values{}); }), HasSubstr("mae: no rows"));
  EXPECT_THAT(error_of([] {
                rmse(Values{1, 2}, Values{1});
              }),
              HasSubstr("rmse: actual and predicted differ in length (2 actual, 1 predicted)"));
  EXPECT_THAT(error_of([] {
                bias(Values{1, 2}, Values{1, kNaN});
              }),
              HasSubstr("bias: the value at index 1 of predicted is nan"));
  EXPECT_THAT(error_of([] {
                smape(Values{-kInf, 2}, Values{1, 2});
              }),
              HasSubstr("the value at index 0 of actual is -inf"));
  EXPECT_THAT(error_of([] {
                mape(Values{1, 0, 3}, Values{1, 1, 1});
              }),
              HasSubstr("mape: the actual value at index 1 is 0, where a percentage error is "
                        "undefined; use smape or mae"));
  EXPECT_THAT(error_of([] { r2(Values{1}, Values{1}); }), HasSubstr("r2: needs at least 2 rows"));
  EXPECT_THAT(error_of([] { regression_report(Values{1}, Values{kNaN}); }),
              HasSubstr("regression_report: the value at index 0 of predicted is nan"));
}

TEST(MetricError, IsACairnError) {
  EXPECT_THROW(roc_auc(Values{}, Values{}), cairn::Error);
}

}  // namespace
}  // namespace cairn::ml
