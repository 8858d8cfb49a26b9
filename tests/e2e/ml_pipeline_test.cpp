// The ML pipeline end to end through its CLI: real lending_club data, a quality gate, XGBoost
// trained with early stopping and tracked per round, registered and promoted to production. A
// corrupted copy of the data stops the run at the gate, names the broken rows, and leaves the
// registry untouched.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e/process.hpp"
#include "file_contents.hpp"
#include "scratch_dir.hpp"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class MlPipeline : public ::testing::Test {
 protected:
  ProcessResult cli(std::vector<std::string> args, const fs::path& csv) {
    args.insert(args.begin(), std::string(std::getenv("CAIRN_BIN_DIR")) + "/ml_pipeline");
    return run_process(args, {{"CAIRN_HOME", (scratch_.path() / "home").string()},
                              {"LOANS_CSV", csv.string()},
                              {"OMP_THREAD_LIMIT", "1"}});
  }
  json cli_json(std::vector<std::string> args) {
    auto r = cli(args, kLoans);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  const fs::path kLoans = CAIRN_SOURCE_DIR "/data/lending_club.csv";
  ScratchDir scratch_;
};

TEST_F(MlPipeline, TrainsTracksRegistersAndPromotesOnRealData) {
  auto r = cli({"materialize", "-s", "*"}, kLoans);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  json runs = cli_json({"tracking", "runs", "list", "-e", "credit/model", "--json"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "FINISHED");
  EXPECT_EQ(runs[0]["params"]["max_depth"], "3");
  double best = runs[0]["metrics"]["best_iteration"];
  std::string id = runs[0]["id"];
  json shown = cli_json({"tracking", "runs", "show", id, "--history", "eval-auc", "--json"});
  EXPECT_GT(shown["history"].size(), best);  // every round up to the early stop

  json versions = cli_json({"models", "versions", "credit-scorer", "--json"});
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]["flavor"], "xgboost/ubj");
  EXPECT_GT(versions[0]["metrics"]["roc_auc"], 0.6);
  EXPECT_EQ(versions[0]["aliases"], json::array({"production"}));
}

TEST_F(MlPipeline, CorruptedDataStopsAtTheGateWithTheBrokenRows) {
  fs::path bad = scratch_.path() / "loans.csv";
  std::string text = file_contents(kLoans);
  std::size_t row = text.find('\n') + 1;  // the first data row; funded_amnt is its first field
  text.replace(row, text.find(',', row) - row, "-500");
  std::ofstream(bad) << text;

  auto r = cli({"materialize", "-s", "*"}, bad);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("funded_amnt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-500"), std::string::npos) << r.out;

  json runs = cli_json({"runs", "list", "--json"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "FAILURE");
  json shown = cli_json({"runs", "show", runs[0]["run_id"], "--json"});
  std::map<std::string, std::string> step_status;
  for (const auto& s : shown["step_status"]) step_status[s["step"]] = s["status"];
  EXPECT_EQ(step_status["credit/validated_loans"], "FAILURE");
  EXPECT_EQ(step_status["credit/model"], "SKIPPED");
  EXPECT_EQ(step_status["credit/evaluation"], "SKIPPED");
  EXPECT_TRUE(cli_json({"models", "list", "--json"}).empty());
}

}  // namespace
}  // namespace cairn::testing
