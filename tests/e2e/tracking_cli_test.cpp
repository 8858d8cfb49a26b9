// Experiment tracking and the model registry through a pipeline binary, as a user drives them:
// materialize runs that log, register and promote, then read and change everything with the
// `experiments`, `tracking runs` and `models` commands, and get the documented exit codes for
// bad input.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TrackingCli : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("cairn-tracking-e2e-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    binary_ = bin_dir() + "/tracking_pipeline";
    ASSERT_TRUE(fs::exists(binary_)) << binary_ << " is missing: build tracking_pipeline";
  }
  void TearDown() override {
    fs::remove_all(home_);
    fs::remove(config_file());
  }

  fs::path config_file() const { return home_.string() + "-config.json"; }

  ProcessResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), binary_);
    return run_process(args, {{"CAIRN_HOME", home_.string()}});
  }

  json cli_json(std::vector<std::string> args) {
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  /// Materializes the pipeline with the model reaching `auc`; returns the exit code.
  int materialize(double auc, int max_depth = 6, bool fail = false) {
    std::ofstream(config_file())
        << json{{"assets",
                 {{"credit/model", {{"auc", auc}, {"max_depth", max_depth}, {"fail", fail}}}}}}
               .dump();
    auto r = cli({"materialize", "-s", "*", "--config", config_file().string()});
    return r.exit_code;
  }

  fs::path home_;
  std::string binary_;
};

TEST_F(TrackingCli, RunsLogRegisterAndPromoteAndTheCommandsShowIt) {
  ASSERT_EQ(materialize(0.70, 4), 0);   // v1: nothing in production yet
  ASSERT_EQ(materialize(0.72, 6), 0);   // v2: beats v1 by 0.02, v1 archived
  ASSERT_EQ(materialize(0.721, 8), 0);  // v3: by only 0.001, stays out of production

  json experiments = cli_json({"experiments", "list", "--json"});
  ASSERT_EQ(experiments.size(), 2u);
  EXPECT_EQ(experiments[0]["name"], "credit/model");
  EXPECT_EQ(experiments[1]["name"], "reports");
  EXPECT_EQ(experiments[0]["latest_run"]["metrics"]["auc"], 0.721);

  json shown = cli_json({"experiments", "show", "credit/model", "--json"});
  ASSERT_EQ(shown["runs"].size(), 3u);
  for (const auto& run : shown["runs"]) {
    EXPECT_EQ(run["status"], "FINISHED");
    EXPECT_EQ(run["asset_key"], "credit/model");
    EXPECT_EQ(run["params"]["eta"], "0.1");
  }

  json better = cli_json({"tracking", "runs", "list", "--filter", "metrics.auc > 0.71",
                          "--order-by", "metrics.auc asc", "--json"});
  ASSERT_EQ(better.size(), 2u);
  EXPECT_EQ(better[0]["metrics"]["auc"], 0.72);
  EXPECT_EQ(better[1]["params"]["max_depth"], "8");
  json paged = cli_json({"tracking", "runs", "list", "-e", "credit/model", "--order-by",
                         "params.max_depth", "--limit", "1", "--offset", "1", "--json"});
  ASSERT_EQ(paged.size(), 1u);
  EXPECT_EQ(paged[0]["params"]["max_depth"], "6");

  // show, by a prefix of the id, with a metric's history and the artifacts.
  const std::string id = better[0]["id"];
  json run =
      cli_json({"tracking", "runs", "show", id.substr(0, 6), "--history", "valid/auc", "--json"});
  EXPECT_EQ(run["id"], id);
  ASSERT_EQ(run["history"].size(), 10u);
  EXPECT_EQ(run["history"][9]["step"], 9);
  EXPECT_EQ(run["artifacts"][0]["path"], "model/model.json");
  EXPECT_EQ(run["artifacts"][0]["size"], 16);
  EXPECT_TRUE(
      fs::exists(fs::path(run["artifact_dir"].get<std::string>()) / "model" / "model.json"));
  const std::string run_id = run["run_id"];
  json orchestration = cli_json({"runs", "show", run_id, "--json"});
  EXPECT_EQ(orchestration["status"], "SUCCESS");
  auto text = cli({"tracking", "runs", "show", id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("max_depth  6"), std::string::npos) << text.out;

  auto compared = cli({"tracking", "runs", "compare", better[0]["id"], better[1]["id"]});
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_NE(compared.out.find("*  params.max_depth"), std::string::npos) << compared.out;
  EXPECT_NE(compared.out.find("   params.eta"), std::string::npos) << compared.out;
  json compared_json =
      cli_json({"tracking", "runs", "compare", better[0]["id"], better[1]["id"], "--json"});
  for (const auto& metric : compared_json["metrics"]) {
    if (metric["key"] == "auc") {
      EXPECT_TRUE(metric["differs"].get<bool>());
      EXPECT_EQ(metric["values"][0], 0.72);
    }
  }

  json models = cli_json({"models", "list", "--json"});
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["name"], "demo-scorer");
  EXPECT_EQ(models[0]["latest_version"], 3);
  EXPECT_EQ(models[0]["aliases"]["production"], 2);
  json model = cli_json({"models", "show", "demo-scorer", "--json"});
  ASSERT_EQ(model["versions"].size(), 3u);
  EXPECT_EQ(model["versions"][0]["status"], "ARCHIVED");
  EXPECT_EQ(model["versions"][1]["status"], "ACTIVE");
  EXPECT_EQ(model["versions"][2]["status"], "ACTIVE");
  EXPECT_EQ(model["versions"][1]["aliases"][0], "production");
  EXPECT_EQ(model["versions"][1]["metrics"]["auc"], 0.72);
  EXPECT_EQ(model["versions"][1]["asset_key"], "credit/model");
  ASSERT_EQ(model["alias_history"].size(), 2u);
  EXPECT_EQ(model["alias_history"][1]["reason"],
            "auc 0.72 beats production v1 (0.7) by 0.02 >= 0.005");
  EXPECT_EQ(model["alias_history"][1]["archived_version"], 1);

  // A person overrides the decision: v3 to production, v2 archived.
  auto promoted = cli({"models", "promote", "demo-scorer", "v3", "--alias", "production",
                       "--reason", "approved by risk"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_EQ(promoted.out, "demo-scorer production: v2 -> v3 (v2 archived)\n");
  json versions = cli_json({"models", "versions", "demo-scorer", "--json"});
  EXPECT_EQ(versions[1]["status"], "ARCHIVED");
  EXPECT_EQ(versions[2]["aliases"][0], "production");
  json history = cli_json({"models", "show", "demo-scorer", "--json"})["alias_history"];
  EXPECT_EQ(history.back()["reason"], "approved by risk");
  auto listed = cli({"models", "list"});
  EXPECT_NE(listed.out.find("production=v3"), std::string::npos) << listed.out;
}

TEST_F(TrackingCli, AFailedStepLeavesAFailedTrackingRunAndNoVersion) {
  EXPECT_EQ(materialize(0.8, 6, /*fail=*/true), 1);
  json failed = cli_json({"tracking", "runs", "list", "--filter", "status = FAILED", "--json"});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["metrics"]["auc"], 0.8);
  EXPECT_EQ(cli_json({"models", "list", "--json"}).size(), 0u);
}

TEST_F(TrackingCli, BadInputGetsTheDocumentedExitCodesAndNamesTheFix) {
  ASSERT_EQ(materialize(0.70), 0);
  ASSERT_EQ(materialize(0.75), 0);

  auto r = cli({"models", "promote", "demo-scorer", "9", "--alias", "production"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("model 'demo-scorer' has no version 9 (its versions: 1, 2)"),
            std::string::npos)
      << r.err;
  r = cli({"models", "promote", "demo-scorr", "1", "--alias", "production"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("did you mean 'demo-scorer'"), std::string::npos) << r.err;
  r = cli({"models", "promote", "demo-scorer", "latest", "--alias", "production"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("give its number, such as 3 or v3"), std::string::npos) << r.err;
  r = cli({"models", "promote", "demo-scorer", "1", "--alias", "prod uction"});
  EXPECT_EQ(r.exit_code, 2);
  r = cli({"models", "archive", "demo-scorer", "2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("promote another version to 'production' first"), std::string::npos)
      << r.err;
  // Nothing changed.
  json model = cli_json({"models", "show", "demo-scorer", "--json"});
  EXPECT_EQ(model["aliases"]["production"], 2);
  EXPECT_EQ(model["alias_history"].size(), 2u);

  EXPECT_EQ(cli({"tracking", "runs", "show", "zzzzzz"}).exit_code, 4);
  EXPECT_EQ(cli({"tracking", "runs", "compare", "zzzzzz"}).exit_code, 2);
  r = cli({"tracking", "runs", "list", "--filter", "metrics.auc >> 1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("search filter 'metrics.auc >> 1'"), std::string::npos) << r.err;
  EXPECT_EQ(cli({"experiments", "show", "nope"}).exit_code, 4);
  EXPECT_EQ(cli({"models", "show", "nope"}).exit_code, 4);
}

}  // namespace
}  // namespace cairn::testing
