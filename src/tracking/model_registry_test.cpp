// The model registry on a real instance: versions with their files, promotion with archiving,
// the alias history, the compare-to-production decision, and bad input.

#include "cairn/model_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "file_contents.hpp"
#include "scratch_dir.hpp"

namespace cairn::tracking {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ModelRegistryTest : public ::testing::Test {
 protected:
  fs::path home() const { return scratch_.path() / "home"; }

  /// A tracking run that logged `auc` and a model file; returns its id.
  std::string trained_run(double auc, const std::string& content = "model bytes") {
    TrackingRun run = tracker_.start_run("credit/train", "", {"run-1", "credit/train", ""});
    run.log_metric("auc", auc);
    run.log_text("model/model.ubj", content);
    run.finish();
    return run.id();
  }

  /// A version registered from a trained run's artifact; returns its number.
  std::int64_t version_with_auc(double auc) {
    return registry_
        .create_version("credit-scorer", {.tracking_run_id = trained_run(auc),
                                          .run_artifact = "model/model.ubj",
                                          .flavor = "xgboost/ubj"})
        .version;
  }

  std::string error_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }

  testing::ScratchDir scratch_;
  Tracker tracker_ = Tracker::open(home().string());
  ModelRegistry registry_ = tracker_.models();
};

TEST_F(ModelRegistryTest, AVersionFromARunArtifactTakesTheRunsMetricsAndLineage) {
  const std::string run = trained_run(0.74);
  const ModelVersion version =
      registry_.create_version("credit-scorer", {.tracking_run_id = run.substr(0, 8),
                                                 .run_artifact = "model/model.ubj",
                                                 .flavor = "xgboost/ubj",
                                                 .description = "first"});
  EXPECT_EQ(version.version, 1);
  EXPECT_EQ(version.status, ModelVersionStatus::kActive);
  EXPECT_EQ(version.tracking_run_id, run);
  EXPECT_EQ(version.metrics, (std::map<std::string, double>{{"auc", 0.74}}));
  EXPECT_EQ(version.links.run_id, "run-1");
  EXPECT_EQ(version.links.asset_key, "credit/train");
  EXPECT_EQ(version.description, "first");
  // Referenced, not copied: the file is the run's artifact.
  EXPECT_EQ(registry_.artifact_file(version),
            tracker_.resume_run(run).artifact_file("model/model.ubj"));
  EXPECT_EQ(cairn::testing::file_contents(registry_.artifact_file(version)), "model bytes");
  EXPECT_EQ(registry_.get_model("credit-scorer").latest_version, 1);
}

TEST_F(ModelRegistryTest, AVersionFromALocalFileCopiesItUnderTheArtifactRoot) {
  const fs::path local = scratch_.path() / "linear.txt";
  std::ofstream(local) << "weights";
  const ModelVersion version = registry_.create_version(
      "forecaster", {.file = local.string(), .flavor = "cairn-linear", .metrics = {{"mae", 3.5}}});
  const RegisteredModel model = registry_.get_model("forecaster");
  EXPECT_EQ(version.artifact_path, "models/" + std::to_string(model.id) + "/v1/linear.txt");
  EXPECT_EQ(cairn::testing::file_contents(registry_.artifact_file(version)), "weights");
  EXPECT_EQ(version.metrics.at("mae"), 3.5);
  EXPECT_TRUE(version.tracking_run_id.empty());
  fs::remove(local);
  EXPECT_EQ(cairn::testing::file_contents(registry_.artifact_file(version)), "weights");
}

TEST_F(ModelRegistryTest, PromotionArchivesThePreviousProductionModelAndRecordsWhy) {
  const std::int64_t v1 = version_with_auc(0.70);
  const std::int64_t v2 = version_with_auc(0.74);
  registry_.promote("credit-scorer", v1, "production", "first model");
  const AliasEvent moved = registry_.promote("credit-scorer", v2, "production", "auc +0.04");
  EXPECT_EQ(moved.from_version, v1);
  EXPECT_EQ(moved.archived_version, v1);
  EXPECT_EQ(registry_.get_by_alias("credit-scorer", "production").version, v2);
  EXPECT_EQ(registry_.get_version("credit-scorer", v1).status, ModelVersionStatus::kArchived);
  EXPECT_EQ(registry_.get_model("credit-scorer").aliases,
            (std::map<std::string, std::int64_t>{{"production", v2}}));
  const auto history = registry_.alias_history("credit-scorer", "production");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].to_version, v1);
  EXPECT_EQ(history[0].reason, "first model");
  EXPECT_EQ(history[1].reason, "auc +0.04");
  EXPECT_LE(history[0].timestamp, history[1].timestamp);
  // latest_version is the highest active one.
  EXPECT_EQ(registry_.latest_version("credit-scorer")->version, v2);
  // A staging alias does not archive anything.
  const std::int64_t v3 = version_with_auc(0.75);
  registry_.set_alias("credit-scorer", v3, "staging");
  registry_.set_alias("credit-scorer", v2, "staging");
  EXPECT_EQ(registry_.get_version("credit-scorer", v3).status, ModelVersionStatus::kActive);
}

TEST_F(ModelRegistryTest, CompareToProductionDecidesWithAMinimumImprovement) {
  PromotionDecision first =
      registry_.compare_to_alias("credit-scorer", "production", "auc", 0.70, 0.005);
  EXPECT_TRUE(first.promote);
  EXPECT_EQ(first.reason, "no version of model 'credit-scorer' holds alias 'production' yet");
  EXPECT_EQ(first.current_version, 0);

  registry_.promote("credit-scorer", version_with_auc(0.731), "production");
  const auto decide = [&](double candidate) {
    return registry_.compare_to_alias("credit-scorer", "production", "auc", candidate, 0.005);
  };
  const PromotionDecision better = decide(0.7412);
  EXPECT_TRUE(better.promote);
  EXPECT_EQ(better.reason, "auc 0.7412 beats production v1 (0.731) by 0.0102 >= 0.005");
  EXPECT_EQ(better.current_version, 1);
  EXPECT_EQ(better.current_value, 0.731);
  // 0.736 - 0.731 is 0.00499999999999995 in binary: it counts as the minimum.
  EXPECT_TRUE(decide(0.736).promote);
  const PromotionDecision small = decide(0.734);
  EXPECT_FALSE(small.promote);
  EXPECT_EQ(small.reason, "auc 0.734 beats production v1 (0.731) by only 0.003 < 0.005");
  const PromotionDecision worse = decide(0.72);
  EXPECT_FALSE(worse.promote);
  EXPECT_EQ(worse.reason, "auc 0.72 does not beat production v1 (0.731)");
}

TEST_F(ModelRegistryTest, CompareWhenLowerIsBetterAndFromTheTrackingRunsMetrics) {
  TrackingRun run = tracker_.start_run("energy");
  run.log_metric("rmse", 3.2);
  run.log_text("model.json", "{}");
  const ModelVersion version = registry_.create_version("forecaster", {.tracking_run_id = run.id(),
                                                                       .run_artifact = "model.json",
                                                                       .flavor = "xgboost/json",
                                                                       .metrics = {{"mae", 2.0}}});
  registry_.promote("forecaster", version.version, "production");
  // rmse is not in the snapshot: it comes from the tracking run.
  const PromotionDecision decision =
      registry_.compare_to_alias("forecaster", "production", "rmse", 3.0, 0.1, Goal::kMinimize);
  EXPECT_TRUE(decision.promote);
  EXPECT_EQ(decision.reason, "rmse 3 beats production v1 (3.2) by 0.2 >= 0.1");
  EXPECT_FALSE(
      registry_.compare_to_alias("forecaster", "production", "mae", 2.05, 0.0, Goal::kMinimize)
          .promote);
  EXPECT_THAT(
      error_of([&] { registry_.compare_to_alias("forecaster", "production", "auc", 0.8, 0.01); }),
      HasSubstr("production v1 of 'forecaster' has no metric 'auc' (it has: mae)"));
  EXPECT_THAT(error_of([&] {
                registry_.compare_to_alias("forecaster", "production", "mae", std::nan(""), 0);
              }),
              HasSubstr("NaN"));
}

TEST_F(ModelRegistryTest, PromotingAVersionThatDoesNotExistNamesItAndChangesNothing) {
  const std::int64_t v1 = version_with_auc(0.7);
  registry_.promote("credit-scorer", v1, "production");
  EXPECT_THAT(error_of([&] { registry_.promote("credit-scorer", 5, "production"); }),
              HasSubstr("model 'credit-scorer' has no version 5 (its versions: 1)"));
  EXPECT_EQ(registry_.get_by_alias("credit-scorer", "production").version, v1);
  EXPECT_EQ(registry_.alias_history("credit-scorer").size(), 1u);
  EXPECT_THAT(error_of([&] { registry_.promote("credit-scorrer", 1, "production"); }),
              HasSubstr("no registered model 'credit-scorrer' (did you mean 'credit-scorer'?)"));
  EXPECT_THAT(error_of([&] { registry_.promote("credit-scorer", 1, "2"); }),
              HasSubstr("alias '2' is not valid"));
  EXPECT_THAT(error_of([&] { registry_.get_by_alias("credit-scorer", "staging"); }),
              HasSubstr("promote one with `models promote credit-scorer VERSION --alias staging`"));
  EXPECT_THAT(error_of([&] { registry_.get_version("credit-scorer", 9); }),
              HasSubstr("has no version 9 (its versions: 1)"));
}

TEST_F(ModelRegistryTest, ABadVersionRequestStoresNothingAndTakesNoNumber) {
  const std::string run = trained_run(0.7);
  EXPECT_THAT(error_of([&] {
                registry_.create_version(
                    "m", {.tracking_run_id = run, .run_artifact = "model/model.ubj"});
              }),
              HasSubstr("needs a flavor"));
  EXPECT_THAT(error_of([&] { registry_.create_version("m", {.flavor = "xgboost/ubj"}); }),
              HasSubstr("needs exactly one model file"));
  EXPECT_THAT(error_of([&] {
                registry_.create_version(
                    "m",
                    {.tracking_run_id = run, .run_artifact = "model.bin", .flavor = "xgboost/ubj"});
              }),
              HasSubstr("has no artifact 'model.bin' (it has: model/model.ubj)"));
  EXPECT_THAT(error_of([&] {
                registry_.create_version(
                    "m", {.run_artifact = "model/model.ubj", .flavor = "xgboost/ubj"});
              }),
              HasSubstr("but no tracking_run_id"));
  EXPECT_THAT(error_of([&] {
                registry_.create_version(
                    "m", {.file = (scratch_.path() / "missing.ubj").string(), .flavor = "x"});
              }),
              HasSubstr("missing.ubj"));
  EXPECT_THAT(error_of([&] {
                registry_.create_version("m", {.tracking_run_id = "0000000000",
                                               .run_artifact = "model/model.ubj",
                                               .flavor = "xgboost/ubj"});
              }),
              HasSubstr("no tracking run with id '0000000000'"));
  EXPECT_THAT(error_of([&] { registry_.create_version("", {.flavor = "x"}); }),
              HasSubstr("model name must not be empty"));
  EXPECT_TRUE(registry_.list_models().empty());
  EXPECT_EQ(version_with_auc(0.7), 1);
}

TEST_F(ModelRegistryTest, AVersionAnAliasPointsToCannotBeArchivedOrDeleted) {
  const std::int64_t v1 = version_with_auc(0.7);
  const std::int64_t v2 = version_with_auc(0.8);
  registry_.promote("credit-scorer", v2, "production");
  const std::string refused = error_of([&] { registry_.archive("credit-scorer", v2); });
  EXPECT_THAT(refused, HasSubstr("cannot archive version 2 of model 'credit-scorer'"));
  EXPECT_THAT(refused, HasSubstr("promote another version to 'production' first"));
  EXPECT_THAT(error_of([&] { registry_.delete_version("credit-scorer", v2); }),
              HasSubstr("cannot delete version 2"));
  registry_.archive("credit-scorer", v1);
  EXPECT_EQ(registry_.get_version("credit-scorer", v1).status, ModelVersionStatus::kArchived);
  registry_.delete_version("credit-scorer", v1);
  EXPECT_THAT(error_of([&] { registry_.get_version("credit-scorer", v1); }),
              HasSubstr("has no version 1 (its versions: 2)"));
  // The run's artifact stays with its run.
  EXPECT_EQ(tracker_.search_runs({}).size(), 2u);
  EXPECT_EQ(version_with_auc(0.9), 3);
}

TEST_F(ModelRegistryTest, DeletingAVersionRemovesTheFileCopiedForIt) {
  const fs::path local = scratch_.path() / "model.ubj";
  std::ofstream(local) << "m";
  const ModelVersion version =
      registry_.create_version("m", {.file = local.string(), .flavor = "xgboost/ubj"});
  const fs::path copied = registry_.artifact_file(version);
  ASSERT_TRUE(fs::exists(copied));
  registry_.delete_version("m", version.version);
  EXPECT_FALSE(fs::exists(copied));
  EXPECT_FALSE(fs::exists(copied.parent_path()));
  EXPECT_TRUE(fs::exists(local));
}

TEST_F(ModelRegistryTest, RegisteringIsIdempotentAndListsModelsByName) {
  registry_.register_model("b", "second model");
  registry_.register_model("a");
  registry_.register_model("b");
  const auto models = registry_.list_models();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "a");
  EXPECT_EQ(models[1].description, "second model");
  EXPECT_THAT(error_of([&] { registry_.register_model("bad\nname"); }),
              HasSubstr("control character"));
}

TEST_F(ModelRegistryTest, RegistryOpenedFromAHomeSeesTheSameModels) {
  version_with_auc(0.7);
  const ModelRegistry other = ModelRegistry::open(home().string());
  EXPECT_EQ(other.list_versions("credit-scorer").size(), 1u);
  EXPECT_EQ(other.latest_version("credit-scorer")->flavor, "xgboost/ubj");
}

}  // namespace
}  // namespace cairn::tracking
