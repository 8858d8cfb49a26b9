#include "cairn/ml/xgboost_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "cairn/ml/metrics.hpp"
#include "ml/model_test_support.hpp"
#include "scratch_dir.hpp"

namespace cairn::ml {
namespace {

using cairn::testing::LabeledMatrix;
using cairn::testing::model_error_of;
using nlohmann::json;

// Every XGBoost test starts here.
class XGBoostTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_THREAD__)
    // libgomp is not instrumented, so ThreadSanitizer sees XGBoost's OpenMP workers hand memory
    // to each other without synchronization and reports races inside libxgboost. With
    // OMP_THREAD_LIMIT=1 every OpenMP region runs on its calling thread and TSan checks cairn's
    // own threads; say so instead of failing on a report from inside XGBoost.
    const char* limit = std::getenv("OMP_THREAD_LIMIT");
    if (limit == nullptr || std::string(limit) != "1") {
      GTEST_FAIL() << "run the ThreadSanitizer build with OMP_THREAD_LIMIT=1 (as .ci/run does): "
                      "libgomp is not instrumented and TSan reports false races inside XGBoost";
    }
#endif
  }
};
using XGBoostDeathTest = XGBoostTest;

// One split of lending_club for every test: 4/5 to train, 1/5 to evaluate.
struct LendingClub {
  LabeledMatrix train;
  LabeledMatrix eval;
};

const LendingClub& lending_club() {
  static const LendingClub data = [] {
    LabeledMatrix all = cairn::testing::load_lending_club(cairn::testing::kLendingClubFeatures);
    return LendingClub{cairn::testing::every_kth(all, 5, 0, false),
                       cairn::testing::every_kth(all, 5, 0, true)};
  }();
  return data;
}

XGBoostParams classifier_params() {
  XGBoostParams params;
  params.booster_params = {{"objective", "binary:logistic"},
                           {"tree_method", "hist"},
                           {"max_depth", "3"},
                           {"eta", "0.1"}};
  params.num_boost_round = 40;
  params.eval_metrics = {"auc"};
  // One thread: ctest runs tests in parallel, and OpenMP workers that wait for each other on an
  // oversubscribed machine turn 0.2 s of training into 15.
  params.nthread = 1;
  return params;
}

XGBoostModel train_classifier(const XGBoostParams& params = classifier_params()) {
  const LendingClub& d = lending_club();
  return XGBoostModel::train(d.train.x, d.train.y, params, {&d.eval.x, d.eval.y});
}

// Trained once with early stopping (best round 24, stops after 35 of 300) and shared by the tests
// that only read it.
const XGBoostModel& early_stopped_model() {
  static const XGBoostModel model = [] {
    XGBoostParams params = classifier_params();
    params.booster_params["eta"] = "0.3";
    params.eval_metrics = {"logloss"};
    params.num_boost_round = 300;
    params.early_stopping_rounds = 10;
    return train_classifier(params);
  }();
  return model;
}

void expect_near_all(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  EXPECT_LE(worst, tol);
}

TEST_F(XGBoostTest, TrainsOnLendingClubAndItsEvalAucIsTheAucOfItsPredictions) {
  const LendingClub& d = lending_club();
  XGBoostModel model = train_classifier();
  ASSERT_EQ(model.evaluation_history().size(), 40u);
  EXPECT_EQ(model.num_boosted_rounds(), 40);
  EXPECT_EQ(model.best_iteration(), 39);
  EXPECT_FALSE(model.best_score().has_value());
  EXPECT_EQ(model.feature_names(), cairn::testing::kLendingClubFeatures);
  EXPECT_EQ(model.num_features(), cairn::testing::kLendingClubFeatures.size());

  const BoostingRound& last = model.evaluation_history().back();
  EXPECT_EQ(last.iteration, 39);
  ASSERT_EQ(last.results.size(), 1u);
  EXPECT_EQ(last.results[0].name(), "eval-auc");

  std::vector<double> p = model.predict(d.eval.x);
  ASSERT_EQ(p.size(), d.eval.x.rows);
  for (double v : p) ASSERT_TRUE(v > 0 && v < 1) << v;
  double auc = roc_auc(d.eval.y, p);
  EXPECT_NEAR(last.results[0].value, auc, 1e-9);
  EXPECT_GT(auc, 0.65) << "interest rate and credit history predict default on lending_club";
}

TEST_F(XGBoostTest, EarlyStoppingKeepsTheBestRoundAndPredictsWithIt) {
  const LendingClub& d = lending_club();
  const XGBoostModel& model = early_stopped_model();
  const auto& history = model.evaluation_history();
  ASSERT_LT(history.size(), 300u) << "training should have stopped early";
  int best = model.best_iteration();
  EXPECT_EQ(static_cast<int>(history.size()), best + 10 + 1)
      << "it stops 10 rounds without improvement after the best";
  EXPECT_EQ(model.num_boosted_rounds(), static_cast<int>(history.size()));
  ASSERT_TRUE(model.best_score().has_value());
  EXPECT_EQ(*model.best_score(), history[best].results.back().value);
  for (const BoostingRound& round : history) {
    EXPECT_GE(round.results.back().value, *model.best_score()) << "logloss is minimized";
  }

  // The same training cut at the best round predicts exactly the same.
  XGBoostParams params = classifier_params();
  params.booster_params["eta"] = "0.3";
  params.eval_metrics = {"logloss"};
  params.num_boost_round = best + 1;
  XGBoostModel cut = train_classifier(params);
  EXPECT_EQ(model.predict(d.eval.x), cut.predict(d.eval.x));
}

TEST_F(XGBoostTest, EarlyStoppingMaximizesAucByDefaultAndRecordsTheTrainingSetOnRequest) {
  XGBoostParams params = classifier_params();
  params.booster_params["eta"] = "0.5";
  params.num_boost_round = 200;
  params.early_stopping_rounds = 5;
  params.evaluate_training_set = true;
  XGBoostModel model = train_classifier(params);
  const auto& history = model.evaluation_history();
  ASSERT_EQ(history[0].results.size(), 2u);
  EXPECT_EQ(history[0].results[0].name(), "train-auc");
  EXPECT_EQ(history[0].results[1].name(), "eval-auc");
  for (const BoostingRound& round : history) {
    EXPECT_LE(round.results[1].value, *model.best_score()) << "auc is maximized";
  }
}

TEST_F(XGBoostTest, CallbackSeesEveryRoundAndCanAbandonTraining) {
  const LendingClub& d = lending_club();
  std::vector<int> seen;
  XGBoostModel model = XGBoostModel::train(d.train.x, d.train.y, classifier_params(),
                                           {&d.eval.x, d.eval.y}, [&](const BoostingRound& round) {
                                             seen.push_back(round.iteration);
                                             EXPECT_EQ(round.results.size(), 1u);
                                           });
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_EQ(seen.back(), 39);

  int rounds = 0;
  EXPECT_THROW(XGBoostModel::train(d.train.x, d.train.y, classifier_params(), {},
                                   [&](const BoostingRound& round) {
                                     ++rounds;
                                     if (round.iteration == 2) throw StepCanceled("cancelled");
                                   }),
               StepCanceled);
  EXPECT_EQ(rounds, 3);
}

TEST_F(XGBoostTest, JsonUbjAndTheCodecRoundTripWithIdenticalPredictions) {
  const LendingClub& d = lending_club();
  const XGBoostModel& model = early_stopped_model();
  std::vector<double> expected = model.predict(d.eval.x);
  cairn::testing::ScratchDir dir;
  for (std::string name : {"model.json", "model.ubj"}) {
    std::string path = (dir.path() / name).string();
    model.save(path);
    XGBoostModel loaded = XGBoostModel::load(path);
    EXPECT_EQ(loaded.predict(d.eval.x), expected) << name;
    EXPECT_EQ(loaded.best_iteration(), model.best_iteration()) << name;
    EXPECT_EQ(loaded.best_score(), model.best_score()) << name;
    EXPECT_EQ(loaded.num_boosted_rounds(), model.num_boosted_rounds()) << name;
    EXPECT_EQ(loaded.feature_names(), model.feature_names()) << name;
    EXPECT_TRUE(loaded.evaluation_history().empty());
  }
  std::ifstream json_file(dir.path() / "model.json");
  EXPECT_EQ(json_file.get(), '{') << "the .json file is XGBoost's JSON";
  EXPECT_EQ(XGBoostModel::from_bytes(model.to_bytes(XGBoostFormat::kJson)).predict(d.eval.x),
            expected);

  EXPECT_STREQ(Codec<XGBoostModel>::name, "xgboost/ubj");
  std::string stored = Codec<XGBoostModel>::encode(model);
  EXPECT_EQ(stored, model.to_bytes(XGBoostFormat::kUbj)) << "the stored value is plain UBJ";
  EXPECT_EQ(Codec<XGBoostModel>::decode(stored).predict(d.eval.x), expected);
  ValueCodec erased = value_codec_for<XGBoostModel>();
  AnyValue back = erased.decode(erased.encode(AnyValue::of(model)));
  EXPECT_EQ(back.as<XGBoostModel>().predict(d.eval.x), expected);
}

TEST_F(XGBoostTest, FeatureImportanceNamesTheFeaturesTreesSplitOn) {
  const XGBoostModel& model = early_stopped_model();
  std::map<std::string, double> weight = model.feature_importance(ImportanceType::kWeight);
  std::map<std::string, double> gain = model.feature_importance(ImportanceType::kGain);
  std::map<std::string, double> total_gain = model.feature_importance(ImportanceType::kTotalGain);
  ASSERT_FALSE(gain.empty());
  EXPECT_TRUE(gain.contains("int_rate")) << "the interest rate is the strongest signal";
  for (const auto& [name, value] : weight) {
    EXPECT_NE(std::find(cairn::testing::kLendingClubFeatures.begin(),
                        cairn::testing::kLendingClubFeatures.end(), name),
              cairn::testing::kLendingClubFeatures.end())
        << name;
    EXPECT_EQ(value, std::round(value)) << "weight counts splits";
    EXPECT_NEAR(total_gain[name], gain[name] * value, 1e-3 * total_gain[name]) << name;
  }
  EXPECT_EQ(model.feature_importance(ImportanceType::kCover).size(), weight.size());
  EXPECT_EQ(model.feature_importance(ImportanceType::kTotalCover).size(), weight.size());
}

TEST_F(XGBoostTest, MissingValuesAreNaNAndMatricesWithoutNamesGetXGBoostsNames) {
  Matrix x;
  x.rows = 200;
  x.cols = 2;
  std::vector<double> y;
  for (std::size_t i = 0; i < x.rows; ++i) {
    float a = static_cast<float>(i % 17);
    x.values.push_back(i % 5 == 0 ? std::numeric_limits<float>::quiet_NaN() : a);
    x.values.push_back(static_cast<float>(i % 3));
    y.push_back(a > 8 ? 1 : 0);
  }
  XGBoostParams params;
  params.booster_params = {{"objective", "binary:logistic"}, {"max_depth", "2"}};
  params.num_boost_round = 5;
  params.nthread = 1;
  XGBoostModel model = XGBoostModel::train(x, y, params);
  EXPECT_TRUE(model.feature_names().empty());
  std::vector<double> p = model.predict(x);
  for (double v : p) EXPECT_TRUE(std::isfinite(v));
  EXPECT_TRUE(model.feature_importance(ImportanceType::kWeight).contains("f0"));
  EXPECT_TRUE(model.evaluation_history()[0].results.empty()) << "nothing to evaluate";
}

TEST_F(XGBoostTest, PredictsFromSeveralThreadsAtOnce) {
  const LendingClub& d = lending_club();
  const XGBoostModel& model = early_stopped_model();
  std::vector<double> expected = model.predict(d.eval.x);
  XGBoostModel copy = model;
  std::vector<double> a, b;
  std::thread t1([&] { a = model.predict(d.eval.x); });
  std::thread t2([&] { b = copy.predict(d.eval.x); });
  t1.join();
  t2.join();
  EXPECT_EQ(a, expected);
  EXPECT_EQ(b, expected);
}

TEST_F(XGBoostTest, AFileThatIsNotAModelIsAModelErrorWithXGBoostsMessageAndThePath) {
  cairn::testing::ScratchDir dir;
  std::string path = (dir.path() / "notes.ubj").string();
  std::ofstream(path) << "these are not trees";
  std::string message = model_error_of([&] { XGBoostModel::load(path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("not an XGBoost model"), std::string::npos) << message;
  EXPECT_NE(message.find("XGBoost says: "), std::string::npos) << message;
  EXPECT_NE(message.find("wrong model format"), std::string::npos) << "XGBoost's own words";
  EXPECT_EQ(message.find("Stack trace"), std::string::npos) << message;

  std::string other_json = (dir.path() / "other.json").string();
  std::ofstream(other_json) << R"({"format": "cairn-linear", "version": 1})";
  EXPECT_NE(model_error_of([&] { XGBoostModel::load(other_json); }).find(other_json),
            std::string::npos);
  EXPECT_NE(model_error_of([&] {
              XGBoostModel::load((dir.path() / "absent.ubj").string());
            }).find("No such file"),
            std::string::npos);
  EXPECT_THROW(Codec<XGBoostModel>::decode("garbage"), Error);
  EXPECT_NE(model_error_of([&] {
              early_stopped_model().save((dir.path() / "m.bin").string());
            }).find(".json (JSON) or .ubj (UBJ)"),
            std::string::npos);
}

TEST_F(XGBoostTest, BadParametersAndInputsAreModelErrors) {
  const LendingClub& d = lending_club();
  XGBoostParams bad_value = classifier_params();
  bad_value.booster_params["max_depth"] = "deep";
  std::string message = model_error_of([&] { train_classifier(bad_value); });
  EXPECT_NE(message.find("XGBoost says: "), std::string::npos) << message;
  EXPECT_NE(message.find("max_depth"), std::string::npos) << message;

  XGBoostParams owned = classifier_params();
  owned.booster_params["nthread"] = "4";
  EXPECT_NE(model_error_of([&] { train_classifier(owned); }).find("XGBoostParams::nthread"),
            std::string::npos);

  XGBoostParams early = classifier_params();
  early.early_stopping_rounds = 5;
  EXPECT_NE(model_error_of([&] {
              XGBoostModel::train(d.train.x, d.train.y, early);
            }).find("early stopping needs an evaluation set"),
            std::string::npos);

  std::vector<double> short_labels(d.train.y.begin(), d.train.y.end() - 1);
  EXPECT_NE(model_error_of([&] {
              XGBoostModel::train(d.train.x, short_labels, classifier_params());
            }).find("labels for"),
            std::string::npos);
  std::vector<double> nan_label = d.train.y;
  nan_label[7] = std::nan("");
  EXPECT_NE(model_error_of([&] {
              XGBoostModel::train(d.train.x, nan_label, classifier_params());
            }).find("row 7 is NaN"),
            std::string::npos);

  Matrix renamed = d.eval.x;
  renamed.column_names[1] = "interest";
  EXPECT_NE(model_error_of([&] {
              early_stopped_model().predict(renamed);
            }).find("column 1 is 'interest' but the XGBoost model expects 'int_rate'"),
            std::string::npos);
  Matrix narrow;
  narrow.rows = 1;
  narrow.cols = 2;
  narrow.values = {1, 2};
  EXPECT_NE(model_error_of([&] {
              early_stopped_model().predict(narrow);
            }).find("has 2 columns but the XGBoost model was trained on 15 features"),
            std::string::npos);
}

// XGBoost frees a booster through thread-local state that is gone once static destructors run;
// a model in a static variable used to crash the process at exit.
TEST_F(XGBoostDeathTest, AModelInAStaticVariableLetsTheProcessExitCleanly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const LendingClub& d = lending_club();
        XGBoostParams params = classifier_params();
        params.num_boost_round = 2;
        static const XGBoostModel kept = XGBoostModel::train(d.train.x, d.train.y, params);
        std::exit(kept.predict(d.eval.x).size() == d.eval.x.rows ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// --- the native flavor: python's xgboost reads cairn's models and cairn reads python's ---------

class XGBoostPythonInterop : public XGBoostTest {
 protected:
  void SetUp() override {
    XGBoostTest::SetUp();
    if (HasFatalFailure()) return;
    std::string missing = cairn::testing::python_missing("numpy, xgboost");
    ASSERT_TRUE(missing.empty()) << missing;
    const LendingClub& d = lending_club();
    cairn::testing::write_matrix_npy(dir_.path() / "train_x.npy", d.train.x);
    cairn::testing::write_npy(dir_.path() / "train_y.npy", d.train.y, {d.train.y.size()});
    cairn::testing::write_matrix_npy(dir_.path() / "eval_x.npy", d.eval.x);
    cairn::testing::write_npy(dir_.path() / "eval_y.npy", d.eval.y, {d.eval.y.size()});
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  cairn::testing::ScratchDir dir_;
};

TEST_F(XGBoostPythonInterop, PythonLoadsCairnsJsonUbjAndStoredValueAndPredictsTheSame) {
  const LendingClub& d = lending_club();
  const XGBoostModel& model = early_stopped_model();
  std::vector<double> expected = model.predict(d.eval.x);
  model.save(path("cairn.json"));
  model.save(path("cairn.ubj"));
  // What the filesystem IO manager writes for an XGBoostModel asset: the codec's bytes in a
  // file without a model extension.
  std::ofstream(path("credit_model.value"), std::ios::binary) << Codec<XGBoostModel>::encode(model);

  const std::vector<std::string> files = {"cairn.json", "cairn.ubj", "credit_model.value"};
  json jobs = json::array();
  for (const std::string& file : files) {
    jobs.push_back({{"action", "predict"},
                    {"model", path(file)},
                    {"x", path("eval_x.npy")},
                    {"feature_names", d.eval.x.column_names},
                    {"out", path(file + ".npy")}});
  }
  json summaries = cairn::testing::run_oracle("xgboost_interop.py", jobs, dir_.path());
  ASSERT_EQ(summaries.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const json& summary = summaries[i];
    EXPECT_EQ(summary["best_iteration"], model.best_iteration()) << files[i];
    EXPECT_DOUBLE_EQ(summary["best_score"].get<double>(), *model.best_score()) << files[i];
    EXPECT_EQ(summary["num_boosted_rounds"], model.num_boosted_rounds()) << files[i];
    EXPECT_EQ(summary["feature_names"], json(model.feature_names())) << files[i];
    expect_near_all(cairn::testing::read_npy_f64(path(files[i] + ".npy")), expected, 1e-6);
  }
}

TEST_F(XGBoostPythonInterop, CairnLoadsPythonsModelsAndTrainsTheSameTrees) {
  const LendingClub& d = lending_club();
  json params = {
      {"objective", "binary:logistic"}, {"tree_method", "hist"}, {"max_depth", 3}, {"eta", 0.3},
      {"eval_metric", "logloss"},       {"nthread", 1}};
  json job = {{"action", "train"},
              {"params", params},
              {"num_boost_round", 300},
              {"early_stopping_rounds", 10},
              {"train_x", path("train_x.npy")},
              {"train_y", path("train_y.npy")},
              {"eval_x", path("eval_x.npy")},
              {"eval_y", path("eval_y.npy")},
              {"feature_names", d.train.x.column_names},
              {"json_out", path("python.json")},
              {"ubj_out", path("python.ubj")},
              {"out", path("python.npy")}};
  json summary =
      cairn::testing::run_oracle("xgboost_interop.py", json::array({job}), dir_.path()).at(0);
  std::vector<double> python_predictions = cairn::testing::read_npy_f64(path("python.npy"));
  for (std::string file : {"python.json", "python.ubj"}) {
    XGBoostModel loaded = XGBoostModel::load(path(file));
    EXPECT_EQ(loaded.best_iteration(), summary["best_iteration"].get<int>()) << file;
    EXPECT_EQ(loaded.best_score(), summary["best_score"].get<double>()) << file;
    EXPECT_EQ(loaded.feature_names(), d.train.x.column_names) << file;
    expect_near_all(loaded.predict(d.eval.x), python_predictions, 1e-6);
  }
  // The same data, parameters and seed through cairn's training loop: the same model.
  const XGBoostModel& ours = early_stopped_model();
  EXPECT_EQ(ours.best_iteration(), summary["best_iteration"].get<int>());
  EXPECT_EQ(ours.num_boosted_rounds(), summary["num_boosted_rounds"].get<int>());
  expect_near_all(ours.predict(d.eval.x), python_predictions, 1e-6);
}

}  // namespace
}  // namespace cairn::ml
