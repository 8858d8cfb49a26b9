#include "cairn/ml/linear_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "ml/model_test_support.hpp"
#include "scratch_dir.hpp"

namespace cairn::ml {
namespace {

using cairn::testing::LabeledMatrix;
using cairn::testing::model_error_of;
using nlohmann::json;

// Features for both models; ridge predicts the interest rate from the others.
const std::vector<std::string> kFeatures = {
    "funded_amnt", "annual_inc",   "delinq_2yrs", "inq_last_6mths", "revol_util",
    "open_il_12m", "inq_last_12m", "all_util",    "num_il_tl",      "total_bal_il"};

const LabeledMatrix& default_data() {
  static const LabeledMatrix data = [] {
    std::vector<std::string> columns = kFeatures;
    columns.push_back("int_rate");
    return cairn::testing::load_lending_club(columns);
  }();
  return data;
}

// The features, and int_rate as a regression target.
struct RegressionData {
  Matrix x;
  std::vector<double> y;
};

const RegressionData& interest_rates() {
  static const RegressionData data = [] {
    const LabeledMatrix& all = default_data();
    RegressionData d;
    d.x.rows = all.x.rows;
    d.x.cols = kFeatures.size();
    d.x.column_names = kFeatures;
    for (std::size_t i = 0; i < all.x.rows; ++i) {
      for (std::size_t j = 0; j < d.x.cols; ++j) d.x.values.push_back(all.x.at(i, j));
      d.y.push_back(all.x.at(i, d.x.cols));
    }
    return d;
  }();
  return data;
}

// Class (bad = 1) from the same features.
std::span<const double> defaults() {
  return default_data().y;
}

TEST(LinearModel, RidgeWithAHugePenaltyPredictsTheMean) {
  const RegressionData& d = interest_rates();
  LinearModel model = LinearModel::fit(d.x, d.y, {.l2 = 1e30});
  double mean = 0;
  for (double v : d.y) mean += v / static_cast<double>(d.y.size());
  EXPECT_NEAR(model.intercept(), mean, 1e-9);
  for (double w : model.coefficients()) EXPECT_NEAR(w, 0, 1e-12);
  EXPECT_EQ(model.iterations(), 0);
}

TEST(LinearModel, LogisticRegressionConvergesAndPredictsProbabilities) {
  const RegressionData& d = interest_rates();
  LinearModel model = LinearModel::fit(
      d.x, defaults(), {.kind = LinearKind::kLogistic, .l2 = 1.0, .standardize = true});
  EXPECT_GT(model.iterations(), 1);
  EXPECT_LT(model.iterations(), 20) << "Newton's method converges in a handful of steps";
  std::vector<double> p = model.predict(d.x);
  ASSERT_EQ(p.size(), d.x.rows);
  double mean_p = 0, mean_y = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    ASSERT_TRUE(p[i] > 0 && p[i] < 1);
    mean_p += p[i];
    mean_y += defaults()[i];
  }
  // With an unpenalized intercept the fitted probabilities sum to the number of positives.
  EXPECT_NEAR(mean_p, mean_y, 1e-6);
  EXPECT_EQ(model.coefficient("revol_util"), model.coefficients()[4]);
  EXPECT_NE(model_error_of([&] { model.coefficient("revol_utl"); }).find("did you mean"),
            std::string::npos);
}

TEST(LinearModel, BadInputIsAModelErrorNamingTheProblem) {
  Matrix x;
  x.rows = 4;
  x.cols = 2;
  x.column_names = {"a", "b"};
  x.values = {1, 2, 2, 4, 3, 6, 4, 8};  // b = 2a
  std::vector<double> y = {1, 0, 1, 0};
  EXPECT_NE(model_error_of([&] { LinearModel::fit(x, y, {.l2 = 0}); }).find("collinear"),
            std::string::npos);
  EXPECT_NO_THROW(LinearModel::fit(x, y, {.l2 = 0.1}));

  std::vector<double> one_class = {1, 1, 1, 1};
  EXPECT_NE(model_error_of([&] {
              LinearModel::fit(x, one_class, {.kind = LinearKind::kLogistic});
            }).find("one class only"),
            std::string::npos);
  std::vector<double> not_binary = {1, 0, 2, 0};
  EXPECT_NE(model_error_of([&] {
              LinearModel::fit(x, not_binary, {.kind = LinearKind::kLogistic});
            }).find("row 2 has 2"),
            std::string::npos);

  Matrix separable;
  separable.rows = 4;
  separable.cols = 1;
  separable.values = {-2, -1, 1, 2};
  std::vector<double> sides = {0, 0, 1, 1};
  std::string message = model_error_of(
      [&] { LinearModel::fit(separable, sides, {.kind = LinearKind::kLogistic, .l2 = 0}); });
  EXPECT_TRUE(message.find("did not converge") != std::string::npos ||
              message.find("singular") != std::string::npos)
      << message;
  EXPECT_NO_THROW(LinearModel::fit(separable, sides, {.kind = LinearKind::kLogistic, .l2 = 1}));

  Matrix holes = x;
  holes.values[5] = std::nanf("");
  EXPECT_NE(model_error_of([&] {
              LinearModel::fit(holes, y);
            }).find("column 'b' is missing (NaN) in row 2"),
            std::string::npos);
  LinearModel fitted = LinearModel::fit(x, y);
  EXPECT_NE(model_error_of([&] { fitted.predict(holes); }).find("row 2"), std::string::npos);
  EXPECT_NE(model_error_of([&] { LinearModel::fit(x, y, {.l2 = -1}); }).find("l2"),
            std::string::npos);
}

TEST(LinearModel, SaveLoadBytesAndCodecRoundTripWithIdenticalPredictions) {
  const RegressionData& d = interest_rates();
  cairn::testing::ScratchDir dir;
  for (const LinearParams& params :
       {LinearParams{.kind = LinearKind::kRidge, .l2 = 3.0, .standardize = true},
        LinearParams{.kind = LinearKind::kLogistic, .l2 = 0.5, .fit_intercept = false}}) {
    std::span<const double> y =
        params.kind == LinearKind::kRidge ? std::span<const double>(d.y) : defaults();
    LinearModel model = LinearModel::fit(d.x, y, params);
    std::vector<double> expected = model.predict(d.x);
    std::string path = (dir.path() / "model.json").string();
    model.save(path);
    for (const LinearModel& loaded :
         {LinearModel::load(path), LinearModel::from_bytes(model.to_bytes()),
          Codec<LinearModel>::decode(Codec<LinearModel>::encode(model))}) {
      EXPECT_EQ(loaded.predict(d.x), expected);
      EXPECT_EQ(loaded.kind(), model.kind());
      EXPECT_EQ(loaded.l2(), model.l2());
      EXPECT_EQ(loaded.fit_intercept(), model.fit_intercept());
      EXPECT_EQ(loaded.intercept(), model.intercept());
      EXPECT_EQ(loaded.coefficients(), model.coefficients());
      EXPECT_EQ(loaded.feature_names(), model.feature_names());
      EXPECT_EQ(loaded.standardization().has_value(), params.standardize);
      EXPECT_EQ(loaded.iterations(), model.iterations());
    }
  }
  EXPECT_STREQ(Codec<LinearModel>::name, "cairn-linear/json");
}

TEST(LinearModel, TheFileIsTheDocumentedJson) {
  Matrix x;
  x.rows = 3;
  x.cols = 1;
  x.column_names = {"age"};
  x.values = {1, 2, 3};
  std::vector<double> y = {2, 4, 6};
  json doc = json::parse(LinearModel::fit(x, y, {.l2 = 0, .standardize = true}).to_bytes());
  EXPECT_EQ(doc["format"], "cairn-linear");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["kind"], "ridge");
  EXPECT_EQ(doc["feature_names"], json::array({"age"}));
  EXPECT_NEAR(doc["intercept"].get<double>(), 4.0, 1e-12);
  EXPECT_NEAR(doc["coefficients"][0].get<double>(), 2 * std::sqrt(2.0 / 3.0), 1e-12);
  EXPECT_NEAR(doc["standardization"]["mean"][0].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(doc["standardization"]["scale"][0].get<double>(), std::sqrt(2.0 / 3.0), 1e-12);
  EXPECT_EQ(doc["l2"], 0.0);
  EXPECT_EQ(doc["fit_intercept"], true);
  EXPECT_EQ(doc["iterations"], 0);
}

TEST(LinearModel, AFileThatIsNotALinearModelIsAModelError) {
  Matrix x;
  x.rows = 3;
  x.cols = 1;
  x.values = {1, 2, 3};
  std::vector<double> y = {1, 2, 4};
  json good = json::parse(LinearModel::fit(x, y).to_bytes());
  auto error_for = [](const std::string& bytes) {
    return model_error_of([&] { LinearModel::from_bytes(bytes); });
  };
  EXPECT_NE(error_for("{not json").find("not JSON"), std::string::npos);
  EXPECT_NE(error_for("[1, 2]").find("not a JSON object"), std::string::npos);

  json wrong_format = good;
  wrong_format["format"] = "xgboost";
  EXPECT_NE(error_for(wrong_format.dump()).find("format is \"xgboost\""), std::string::npos);
  json newer = good;
  newer["version"] = 2;
  EXPECT_NE(error_for(newer.dump()).find("newer cairn"), std::string::npos);
  json missing = good;
  missing.erase("intercept");
  EXPECT_NE(error_for(missing.dump()).find("'intercept' is missing"), std::string::npos);
  json short_names = good;
  short_names["feature_names"] = {"a", "b"};
  EXPECT_NE(error_for(short_names.dump()).find("2 feature names for 1 coefficients"),
            std::string::npos);
  json bad_scale = good;
  bad_scale["standardization"] = {{"mean", {0.0}}, {"scale", {0.0}}};
  EXPECT_NE(error_for(bad_scale.dump()).find("scale is not positive"), std::string::npos);
  json bad_kind = good;
  bad_kind["kind"] = "lasso";
  EXPECT_NE(error_for(bad_kind.dump()).find("lasso"), std::string::npos);

  cairn::testing::ScratchDir dir;
  std::string path = (dir.path() / "model.ubj").string();
  std::ofstream(path) << "{\"learner\": {}}";
  std::string message = model_error_of([&] { LinearModel::load(path); });
  EXPECT_NE(message.find("'" + path + "' is not a cairn linear model"), std::string::npos)
      << message;
  EXPECT_THROW(Codec<LinearModel>::decode("garbage"), Error);
  EXPECT_NE(model_error_of([&] {
              LinearModel::load((dir.path() / "absent.json").string());
            }).find("No such file"),
            std::string::npos);
  std::string unwritable = (dir.path() / "no" / "such" / "dir.json").string();
  EXPECT_NE(model_error_of([&] {
              LinearModel::fit(x, y).save(unwritable);
            }).find("cannot write the model file '" + unwritable + "'"),
            std::string::npos);
}

// --- scikit-learn as the oracle ------------------------------------------------------------

class LinearModelOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = cairn::testing::python_missing("numpy, sklearn");
    ASSERT_TRUE(missing.empty()) << missing;
    const RegressionData& d = interest_rates();
    cairn::testing::write_matrix_npy(path("x.npy"), d.x);
    cairn::testing::write_npy(path("rates.npy"), d.y, {d.y.size()});
    std::vector<double> labels(defaults().begin(), defaults().end());
    cairn::testing::write_npy(path("defaults.npy"), labels, {labels.size()});
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  // Fits each model here and with scikit-learn, and compares intercepts and weights to
  // `tolerance` relative to each value's magnitude (raw-scale weights span 1e-6 to 1).
  void expect_matches_sklearn(const std::vector<LinearParams>& models, double tolerance) {
    const RegressionData& d = interest_rates();
    json jobs = json::array();
    for (const LinearParams& params : models) {
      jobs.push_back(
          {{"action", "fit"},
           {"kind", to_string(params.kind)},
           {"l2", params.l2},
           {"fit_intercept", params.fit_intercept},
           {"standardize", params.standardize},
           {"x", path("x.npy")},
           {"y", path(params.kind == LinearKind::kRidge ? "rates.npy" : "defaults.npy")}});
    }
    json oracles = cairn::testing::run_oracle("linear_sklearn.py", jobs, dir_.path());
    auto close = [&](double ours, double theirs) {
      return std::abs(ours - theirs) <= tolerance * std::max(std::abs(theirs), 1e-9);
    };
    for (std::size_t m = 0; m < models.size(); ++m) {
      const LinearParams& params = models[m];
      SCOPED_TRACE(std::string(to_string(params.kind)) + " l2=" + std::to_string(params.l2) +
                   (params.standardize ? " standardized" : "") +
                   (params.fit_intercept ? "" : " without intercept"));
      std::span<const double> labels =
          params.kind == LinearKind::kRidge ? std::span<const double>(d.y) : defaults();
      LinearModel model = LinearModel::fit(d.x, labels, params);
      const json& oracle = oracles.at(m);
      EXPECT_PRED2(close, model.intercept(), oracle["intercept"].get<double>());
      auto weights = oracle["coefficients"].get<std::vector<double>>();
      ASSERT_EQ(weights.size(), model.coefficients().size());
      for (std::size_t j = 0; j < weights.size(); ++j) {
        EXPECT_PRED2(close, model.coefficients()[j], weights[j]) << kFeatures[j];
      }
      if (params.standardize) {
        auto mean = oracle["mean"].get<std::vector<double>>();
        auto scale = oracle["scale"].get<std::vector<double>>();
        for (std::size_t j = 0; j < weights.size(); ++j) {
          EXPECT_PRED2(close, model.standardization()->mean[j], mean[j]);
          EXPECT_PRED2(close, model.standardization()->scale[j], scale[j]);
        }
      }
    }
  }

  cairn::testing::ScratchDir dir_;
};

TEST_F(LinearModelOracle, RidgeAndLogisticRegressionMatchScikitLearn) {
  expect_matches_sklearn(
      {
          {.kind = LinearKind::kRidge, .l2 = 10.0},
          {.kind = LinearKind::kRidge, .l2 = 10.0, .standardize = true},
          {.kind = LinearKind::kRidge, .l2 = 0.5, .fit_intercept = false},
          {.kind = LinearKind::kLogistic, .l2 = 2.0, .standardize = true},
          {.kind = LinearKind::kLogistic, .l2 = 0.1},
      },
      1e-6);
}

TEST_F(LinearModelOracle, PythonPredictsFromTheFileByTheDocumentedFormula) {
  const RegressionData& d = interest_rates();
  std::vector<LinearModel> models = {
      LinearModel::fit(d.x, defaults(),
                       {.kind = LinearKind::kLogistic, .l2 = 1.0, .standardize = true}),
      LinearModel::fit(d.x, d.y, {.kind = LinearKind::kRidge, .l2 = 1.0})};
  json jobs = json::array();
  for (std::size_t m = 0; m < models.size(); ++m) {
    std::string file = "model" + std::to_string(m);
    models[m].save(path(file + ".json"));
    jobs.push_back({{"action", "predict_from_file"},
                    {"model", path(file + ".json")},
                    {"x", path("x.npy")},
                    {"out", path(file + ".npy")}});
  }
  cairn::testing::run_oracle("linear_sklearn.py", jobs, dir_.path());
  for (std::size_t m = 0; m < models.size(); ++m) {
    std::vector<double> python =
        cairn::testing::read_npy_f64(path("model" + std::to_string(m) + ".npy"));
    std::vector<double> ours = models[m].predict(d.x);
    ASSERT_EQ(python.size(), ours.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
      ASSERT_NEAR(python[i], ours[i], 1e-12 * std::max(1.0, std::abs(ours[i])))
          << to_string(models[m].kind()) << ", row " << i;
    }
  }
}

}  // namespace
}  // namespace cairn::ml
