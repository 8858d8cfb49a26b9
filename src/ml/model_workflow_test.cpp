// The shared utilities on real data, with a real tracker and registry in a scratch instance:
// a logistic credit scorer on lending_club (train, evaluate, register, compare, promote) and a
// ridge ridership forecaster on Chicago (walk-forward backtest).

#include "cairn/ml/model_workflow.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/linear_model.hpp"
#include "cairn/ml/metrics.hpp"
#include "scratch_dir.hpp"

namespace cairn::ml {
namespace {

// One architecture: its feature code is used by fit() and predict() alike.
class LogisticScorer {
 public:
  explicit LogisticScorer(double l2 = 1.0) {
    params_.kind = LinearKind::kLogistic, params_.l2 = l2;
  }

  void fit(const Table& train) {
    model_ = LinearModel::fit(features(train), labels(train), params_);
  }
  std::vector<double> predict(const Table& data) const { return model_->predict(features(data)); }
  std::map<std::string, std::string> params() const {
    return {{"kind", "logistic"}, {"l2", std::to_string(params_.l2)}};
  }
  std::string flavor() const { return "cairn-linear"; }
  std::string to_bytes() const { return model_->to_bytes(); }

  static std::vector<double> labels(const Table& t) {
    std::vector<double> y(t.num_rows());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = t.column("bad").number_at(i);
    return y;
  }

 private:
  static Matrix features(const Table& t) {
    return t.to_matrix({"int_rate", "annual_inc", "inq_last_6mths", "revol_util"});
  }
  LinearParams params_{.standardize = true};
  std::optional<LinearModel> model_;
};
static_assert(Estimator<LogisticScorer>);

class RidgeForecaster {
 public:
  void fit(const Table& train) {
    model_ = LinearModel::fit(features(train), values(train), {.l2 = 1.0, .standardize = true});
  }
  std::vector<double> predict(const Table& data) const { return model_->predict(features(data)); }
  std::map<std::string, std::string> params() const { return {{"kind", "ridge"}}; }
  std::string flavor() const { return "cairn-linear"; }
  std::string to_bytes() const { return model_->to_bytes(); }
  std::vector<tracking::Metric> training_metrics() const {
    return {{.key = "iterations", .value = static_cast<double>(model_->iterations())}};
  }

 private:
  static Matrix features(const Table& t) { return t.to_matrix({"Clark_Lake", "temp", "percip"}); }
  static std::vector<double> values(const Table& t) {
    std::vector<double> y(t.num_rows());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = t.column("ridership").number_at(i);
    return y;
  }
  std::optional<LinearModel> model_;
};
static_assert(Estimator<RidgeForecaster>);

Table loans() {
  Table t = read_csv(CAIRN_SOURCE_DIR "/data/lending_club.csv");
  return t.derive("bad", [](const Row& r) { return r.text("Class") == "bad" ? 1.0 : 0.0; });
}

class ModelWorkflowTest : public ::testing::Test {
 protected:
  cairn::testing::ScratchDir home_;
  tracking::Tracker tracker_ = tracking::Tracker::open(home_.path().string());
  tracking::ModelRegistry registry_ = tracker_.models();
};

TEST_F(ModelWorkflowTest, TrainsEvaluatesRegistersAndPromotesOnlyWhenBetter) {
  Table data = loans();
  Split split = stratified_split(data, "bad", 0.25, 7);
  Table train = data.take(split.train);
  Table test = data.take(split.test);

  tracking::TrackingRun run = tracker_.start_run("credit", "logistic");
  auto trained = train_and_log_model(run, LogisticScorer{}, train);
  EvaluationOptions options{.label_column = "bad", .register_as = "credit-scorer"};
  Evaluation first = evaluate_and_save_model(run, registry_, trained, test, options);

  // The logged metrics are the metric functions' values on the same predictions.
  std::vector<double> actual = LogisticScorer::labels(test);
  EXPECT_DOUBLE_EQ(first.metrics.at("roc_auc"), roc_auc(actual, first.predictions));
  EXPECT_GT(first.metrics.at("roc_auc"), 0.6);  // int_rate alone separates bad loans
  EXPECT_EQ(first.metrics.at("rows"), static_cast<double>(test.num_rows()));
  tracking::TrackingRunInfo info = run.info();
  EXPECT_EQ(info.params.at("kind"), "logistic");
  EXPECT_EQ(info.metrics.at("train_rows"), static_cast<double>(train.num_rows()));
  EXPECT_DOUBLE_EQ(info.metrics.at("roc_auc"), first.metrics.at("roc_auc"));
  EXPECT_EQ(info.tags.at("flavor"), "cairn-linear");

  // The registered file is the model's native file, and loads back to the same predictions.
  ASSERT_TRUE(first.version.has_value());
  EXPECT_EQ(first.version->version, 1);
  EXPECT_EQ(first.version->flavor, "cairn-linear");
  EXPECT_EQ(first.version->tracking_run_id, run.id());
  LinearModel stored = LinearModel::load(registry_.artifact_file(*first.version));
  Matrix x = test.to_matrix({"int_rate", "annual_inc", "inq_last_6mths", "revol_util"});
  EXPECT_EQ(stored.predict(x), first.predictions);

  // No production model yet: promote; a heavily regularized second model is worse: do not.
  auto decision = registry_.compare_to_alias("credit-scorer", "production", "roc_auc",
                                             first.metrics.at("roc_auc"), 0.005);
  EXPECT_TRUE(decision.promote) << decision.reason;
  registry_.promote("credit-scorer", first.version->version, "production", decision.reason);

  tracking::TrackingRun second_run = tracker_.start_run("credit", "logistic-shrunk");
  auto shrunk = train_and_log_model(second_run, LogisticScorer{1e6}, train);
  Evaluation second = evaluate_and_save_model(second_run, registry_, shrunk, test, options);
  ASSERT_TRUE(second.version.has_value());
  EXPECT_EQ(second.version->version, 2);
  auto second_decision = registry_.compare_to_alias("credit-scorer", "production", "roc_auc",
                                                    second.metrics.at("roc_auc") - 0.01, 0.005);
  EXPECT_FALSE(second_decision.promote) << second_decision.reason;
  EXPECT_EQ(registry_.get_by_alias("credit-scorer", "production").version, 1);
}

TEST_F(ModelWorkflowTest, OneClassTestSetIsAClearErrorAndRegistersNothing) {
  Table data = loans();
  tracking::TrackingRun run = tracker_.start_run("credit");
  auto trained = train_and_log_model(run, LogisticScorer{}, data);
  Table only_good = data.filter([](const Row& r) { return r.text("Class") == "good"; });
  EvaluationOptions options{.label_column = "bad", .register_as = "credit-scorer"};
  EXPECT_THROW(evaluate_and_save_model(run, registry_, trained, only_good, options), MetricError);
  EXPECT_TRUE(registry_.list_models().empty());
}

TEST_F(ModelWorkflowTest, EmptyTrainingTableAndUnknownLabelColumnAreNamed) {
  Table data = loans();
  tracking::TrackingRun run = tracker_.start_run("credit");
  try {
    train_and_log_model(run, LogisticScorer{}, data.head(0));
    FAIL() << "an empty training table was accepted";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("training table has no rows"), std::string::npos);
  }
  auto trained = train_and_log_model(run, LogisticScorer{}, data);
  try {
    evaluate_and_save_model(run, registry_, trained, data, {.label_column = "defaulted"});
    FAIL() << "an unknown label column was accepted";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("defaulted"), std::string::npos);
  }
}

TEST_F(ModelWorkflowTest, BacktestRefitsPerFoldAndLogsEveryFold) {
  Table chicago = read_csv(CAIRN_SOURCE_DIR "/data/chicago.csv");
  using days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
  WalkForwardOptions folds{
      .initial_train = days(365 * 10), .test_horizon = days(365), .step = days(365)};
  tracking::TrackingRun run = tracker_.start_run("ridership", "ridge");
  BacktestResult result =
      backtest_model(run, [] { return RidgeForecaster{}; }, chicago, "date", folds,
                     {.label_column = "ridership", .task = ModelTask::kRegression});

  ASSERT_GE(result.folds.size(), 5u);
  double sum = 0;
  std::size_t rows = 0;
  for (const BacktestFold& fold : result.folds) {
    sum += fold.metrics.at("mae");
    rows += fold.fold.test.size();
    EXPECT_LT(fold.fold.train.back(), fold.fold.test.front());  // the past predicts the future
  }
  EXPECT_DOUBLE_EQ(result.mean_metrics.at("mae"), sum / static_cast<double>(result.folds.size()));
  EXPECT_EQ(result.predictions.size(), rows);
  EXPECT_EQ(result.rows.size(), rows);

  std::vector<tracking::Metric> history = run.metric_history("mae");
  ASSERT_EQ(history.size(), result.folds.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].step, static_cast<std::int64_t>(i));
    EXPECT_DOUBLE_EQ(history[i].value, result.folds[i].metrics.at("mae"));
  }
  EXPECT_DOUBLE_EQ(run.info().metrics.at("mean_mae"), result.mean_metrics.at("mae"));
}

}  // namespace
}  // namespace cairn::ml
