// cairn's metrics against scikit-learn on the same inputs: random cases with several seeds and
// ties, all-equal scores, perfect and inverted classifiers, n = 2, a 5 % positive class, real
// credit scores from data/lending_club.csv and a real forecast of data/chicago.csv. The inputs
// go to tests/oracle/sklearn_metrics.py through CSV files written with 17 significant digits
// (every double reads back exactly); values must agree to 1e-9 relative.
//
// scikit-learn is a required test dependency (scripts/setup.sh installs it): without
// /usr/bin/python3 or its sklearn these tests fail, they are not skipped.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/metrics.hpp"
#include "e2e/process.hpp"
#include "scratch_dir.hpp"

namespace cairn::ml {
namespace {

struct ClassificationCase {
  std::string name;
  double threshold = kDefaultThreshold;
  std::vector<double> labels = {};
  std::vector<double> scores = {};
};

struct RegressionCase {
  std::string name;
  std::vector<double> actual = {};
  std::vector<double> predicted = {};
};

std::filesystem::path source_dir() {
  return CAIRN_SOURCE_DIR;
}

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

ClassificationCase noisy_classifier(std::string name, std::uint64_t seed, std::size_t n,
                                    double positive_rate, double round_to) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution positive(positive_rate);
  std::normal_distribution<double> noise(0.0, 1.0);
  ClassificationCase c{std::move(name)};
  for (std::size_t i = 0; i < n; ++i) {
    const double label = positive(rng) ? 1.0 : 0.0;
    double score = sigmoid(noise(rng) + 1.5 * label - 0.5);
    if (round_to > 0) score = std::round(score / round_to) * round_to;
    c.labels.push_back(label);
    c.scores.push_back(score);
  }
  return c;
}

std::vector<ClassificationCase> classification_cases() {
  std::vector<ClassificationCase> cases;
  for (std::uint64_t seed : {1, 2, 3}) {
    cases.push_back(noisy_classifier("ties_seed" + std::to_string(seed), seed, 2000, 0.3, 0.01));
  }
  cases.push_back(noisy_classifier("continuous_seed4", 4, 3000, 0.4, 0.0));
  cases.push_back(noisy_classifier("imbalanced_5pct", 5, 20000, 0.05, 0.1));
  ClassificationCase low_threshold = noisy_classifier("threshold_0.3", 6, 500, 0.5, 0.05);
  low_threshold.threshold = 0.3;
  cases.push_back(low_threshold);

  ClassificationCase all_equal{"all_equal_scores"};
  for (int i = 0; i < 50; ++i) {
    all_equal.labels.push_back(i % 4 == 0 ? 1.0 : 0.0);
    all_equal.scores.push_back(0.5);
  }
  cases.push_back(all_equal);

  ClassificationCase perfect{"perfect"}, inverted{"inverted"};
  for (int i = 0; i < 40; ++i) {
    const double label = i % 3 == 0 ? 1.0 : 0.0;
    perfect.labels.push_back(label);
    perfect.scores.push_back(label == 1.0 ? 0.6 + 0.01 * i : 0.4 - 0.005 * i);
    inverted.labels.push_back(label);
    inverted.scores.push_back(label == 1.0 ? 0.4 - 0.005 * i : 0.6 + 0.01 * i);
  }
  cases.push_back(perfect);
  cases.push_back(inverted);

  cases.push_back({"n2", 0.5, {0, 1}, {0.3, 0.7}});
  cases.push_back({"n2_inverted", 0.5, {0, 1}, {0.7, 0.3}});
  cases.push_back({"n2_tied", 0.4, {1, 0}, {0.4, 0.4}});

  // Probabilities of exactly 0 and 1 (log loss clips them) and scores equal to the threshold.
  cases.push_back({"extreme_probabilities",
                   0.5,
                   {1, 0, 1, 0, 1, 0, 1, 0, 1, 0},
                   {0.0, 1.0, 1.0, 0.0, 1e-300, 0.5, 0.5, 0.9999999999999999, 0.5, 2e-16}});

  // Decision-function scores (not probabilities): log loss is undefined; -0.0 ties with 0.0.
  ClassificationCase raw{"raw_scores", 0.0};
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 2.0);
  for (int i = 0; i < 300; ++i) {
    const double label = i % 2 == 0 ? 1.0 : 0.0;
    raw.labels.push_back(label);
    raw.scores.push_back(i % 10 == 0 ? 0.0 : i % 10 == 1 ? -0.0 : noise(rng) + label);
  }
  cases.push_back(raw);

  // Real credit data: the interest rate Lending Club priced a loan at, and the number of recent
  // credit inquiries (few distinct values: many ties), as scores for "bad".
  const Table loans = read_csv(source_dir() / "data" / "lending_club.csv");
  const Column& target = loans.column("Class");
  ClassificationCase rate{"lending_club_int_rate", 0.15};
  ClassificationCase inquiries{"lending_club_inq_last_6mths", 0.4};
  for (std::size_t i = 0; i < loans.num_rows(); ++i) {
    const double bad = target.string_at(i) == "bad" ? 1.0 : 0.0;
    rate.labels.push_back(bad);
    rate.scores.push_back(loans.column("int_rate").number_at(i) / 100.0);
    inquiries.labels.push_back(bad);
    inquiries.scores.push_back(loans.column("inq_last_6mths").number_at(i) / 5.0);
  }
  cases.push_back(rate);
  cases.push_back(inquiries);
  return cases;
}

std::vector<RegressionCase> regression_cases() {
  std::vector<RegressionCase> cases;
  for (std::uint64_t seed : {1, 2, 3}) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> level(100.0, 20.0), error(2.0, 10.0);
    RegressionCase c{"random_seed" + std::to_string(seed)};
    for (int i = 0; i < 1000; ++i) {
      c.actual.push_back(level(rng));
      c.predicted.push_back(c.actual.back() + error(rng));
    }
    cases.push_back(c);
  }

  // Real forecasts of daily ridership after the first three years: the seasonal naive forecast
  // (same weekday last week) and the mean of those three years.
  const Table chicago = read_csv(source_dir() / "data" / "chicago.csv");
  const std::span<const double> ridership = chicago.column("ridership").float64_values();
  constexpr std::size_t kHistory = 3 * 365;
  RegressionCase naive{"chicago_seasonal_naive"}, mean{"chicago_history_mean"};
  double sum = 0.0;
  for (std::size_t i = 0; i < kHistory; ++i) sum += ridership[i];
  for (std::size_t i = kHistory; i < ridership.size(); ++i) {
    naive.actual.push_back(ridership[i]);
    naive.predicted.push_back(ridership[i - 7]);
    mean.actual.push_back(ridership[i]);
    mean.predicted.push_back(sum / kHistory);
  }
  cases.push_back(naive);
  cases.push_back(mean);

  cases.push_back({"perfect", {1.5, -2.0, 3.25, 10.0}, {1.5, -2.0, 3.25, 10.0}});
  cases.push_back({"constant_actual", {2.0, 2.0, 2.0, 2.0}, {1.0, 2.5, 2.0, 3.0}});
  cases.push_back({"constant_actual_perfect", {2.0, 2.0, 2.0}, {2.0, 2.0, 2.0}});
  cases.push_back({"n2", {1.0, 3.0}, {2.0, 2.5}});
  cases.push_back({"n1", {4.0}, {3.0}});
  cases.push_back({"with_zeros", {0.0, 1.0, 0.0, 5.0, 2.0}, {0.0, 1.5, 0.25, 4.0, 0.0}});
  cases.push_back({"small_signed", {-1e-3, 2e-4, 5e-4, -7e-4}, {-8e-4, 1e-4, 9e-4, -7e-4}});
  cases.push_back({"large_magnitude", {1e12, 3e12, -2e12, 5e11}, {1.1e12, 2.9e12, -2e12, 7e11}});
  return cases;
}

std::string exact(double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

void write_inputs(const std::filesystem::path& classification_csv,
                  const std::filesystem::path& regression_csv) {
  std::ofstream c(classification_csv);
  c << "case,threshold,label,score\n";
  for (const auto& k : classification_cases()) {
    for (std::size_t i = 0; i < k.labels.size(); ++i) {
      c << k.name << ',' << exact(k.threshold) << ',' << exact(k.labels[i]) << ','
        << exact(k.scores[i]) << '\n';
    }
  }
  std::ofstream r(regression_csv);
  r << "case,actual,predicted\n";
  for (const auto& k : regression_cases()) {
    for (std::size_t i = 0; i < k.actual.size(); ++i) {
      r << k.name << ',' << exact(k.actual[i]) << ',' << exact(k.predicted[i]) << '\n';
    }
  }
}

/// Runs the oracle once for all tests. On failure, `error` says why and how to fix it.
struct Oracle {
  nlohmann::json result;
  std::string error;
};

const Oracle& oracle() {
  static const Oracle o = [] {
    Oracle out;
    const std::string python = "/usr/bin/python3";
    if (!std::filesystem::exists(python)) {
      out.error = python +
                  " is missing; run scripts/setup.sh (the metric tests use Debian's "
                  "scikit-learn as their oracle)";
      return out;
    }
    cairn::testing::ScratchDir dir;
    write_inputs(dir.path() / "classification.csv", dir.path() / "regression.csv");
    const auto run = cairn::testing::run_process(
        {python, (source_dir() / "tests" / "oracle" / "sklearn_metrics.py").string(),
         (dir.path() / "classification.csv").string(), (dir.path() / "regression.csv").string()});
    if (run.exit_code != 0) {
      out.error = "the scikit-learn oracle failed (exit " + std::to_string(run.exit_code) +
                  "): " + run.err + "\nrun scripts/setup.sh to install python3-sklearn";
      return out;
    }
    out.result = nlohmann::json::parse(run.out);
    return out;
  }();
  return o;
}

/// Equal to 1e-9 relative.
::testing::AssertionResult close(const std::string& what, double ours, double sklearn) {
  if (ours == sklearn ||
      std::abs(ours - sklearn) <= 1e-9 * std::max(std::abs(ours), std::abs(sklearn))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << what << ": cairn " << exact(ours) << ", scikit-learn " << exact(sklearn);
}

TEST(SklearnOracle, ClassificationMetricsAgree) {
  const Oracle& o = oracle();
  if (!o.error.empty()) FAIL() << o.error;
  const auto cases = classification_cases();
  ASSERT_EQ(o.result.at("classification").size(), cases.size());
  std::size_t curve_points = 0;
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    const nlohmann::json& s = o.result.at("classification").at(k.name);
    EXPECT_TRUE(close("roc_auc", roc_auc(k.labels, k.scores), s.at("roc_auc")));
    EXPECT_TRUE(close("pr_auc", pr_auc(k.labels, k.scores), s.at("pr_auc")));
    const ConfusionMatrix m = confusion_matrix(k.labels, k.scores, k.threshold);
    EXPECT_EQ(m.tn, s.at("tn").get<std::size_t>());
    EXPECT_EQ(m.fp, s.at("fp").get<std::size_t>());
    EXPECT_EQ(m.fn, s.at("fn").get<std::size_t>());
    EXPECT_EQ(m.tp, s.at("tp").get<std::size_t>());
    EXPECT_TRUE(close("accuracy", accuracy(k.labels, k.scores, k.threshold), s.at("accuracy")));
    EXPECT_TRUE(close("precision", precision(k.labels, k.scores, k.threshold), s.at("precision")));
    EXPECT_TRUE(close("recall", recall(k.labels, k.scores, k.threshold), s.at("recall")));
    EXPECT_TRUE(close("f1", f1(k.labels, k.scores, k.threshold), s.at("f1")));
    if (!s.at("curve_tp").is_null()) {
      // scikit-learn's ROC curve point at this threshold counts the same rows as positive.
      EXPECT_EQ(m.tp, s.at("curve_tp").get<std::size_t>());
      EXPECT_EQ(m.fp, s.at("curve_fp").get<std::size_t>());
      ++curve_points;
    }
    if (s.at("log_loss").is_null()) {
      EXPECT_THROW(log_loss(k.labels, k.scores), MetricError);
      continue;
    }
    EXPECT_TRUE(close("log_loss", log_loss(k.labels, k.scores), s.at("log_loss")));
    const BinaryClassificationReport r =
        binary_classification_report(k.labels, k.scores, k.threshold);
    EXPECT_EQ(r.roc_auc, roc_auc(k.labels, k.scores));
    EXPECT_EQ(r.pr_auc, pr_auc(k.labels, k.scores));
    EXPECT_EQ(r.log_loss, log_loss(k.labels, k.scores));
    EXPECT_EQ(r.confusion, m);
    EXPECT_EQ(r.f1, m.f1());
    EXPECT_EQ(r.rows, k.labels.size());
    EXPECT_EQ(r.positives, m.tp + m.fn);
  }
  // Without cases whose threshold is one of their scores, the >= check would be vacuous.
  EXPECT_GE(curve_points, 3u);
}

TEST(SklearnOracle, RegressionMetricsAgree) {
  const Oracle& o = oracle();
  if (!o.error.empty()) FAIL() << o.error;
  const auto cases = regression_cases();
  ASSERT_EQ(o.result.at("regression").size(), cases.size());
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    const nlohmann::json& s = o.result.at("regression").at(k.name);
    EXPECT_TRUE(close("mae", mae(k.actual, k.predicted), s.at("mae")));
    EXPECT_TRUE(close("rmse", rmse(k.actual, k.predicted), s.at("rmse")));
    EXPECT_TRUE(close("smape", smape(k.actual, k.predicted), s.at("smape")));
    EXPECT_TRUE(close("bias", bias(k.actual, k.predicted), s.at("bias")));
    const RegressionReport r = regression_report(k.actual, k.predicted);
    EXPECT_EQ(r.rows, k.actual.size());
    EXPECT_EQ(r.mae, mae(k.actual, k.predicted));
    EXPECT_EQ(r.rmse, rmse(k.actual, k.predicted));
    EXPECT_EQ(r.smape, smape(k.actual, k.predicted));
    EXPECT_EQ(r.bias, bias(k.actual, k.predicted));
    if (s.at("mape").is_null()) {
      EXPECT_THROW(mape(k.actual, k.predicted), MetricError);
      EXPECT_FALSE(r.mape.has_value());
    } else {
      EXPECT_TRUE(close("mape", mape(k.actual, k.predicted), s.at("mape")));
      EXPECT_EQ(r.mape, mape(k.actual, k.predicted));
    }
    if (s.at("r2").is_null()) {
      EXPECT_THROW(r2(k.actual, k.predicted), MetricError);
      EXPECT_FALSE(r.r2.has_value());
    } else {
      EXPECT_TRUE(close("r2", r2(k.actual, k.predicted), s.at("r2")));
      EXPECT_EQ(r.r2, r2(k.actual, k.predicted));
    }
  }
}

}  // namespace
}  // namespace cairn::ml
