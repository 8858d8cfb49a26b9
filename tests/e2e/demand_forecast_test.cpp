// examples/demand_forecast end to end on the real Chicago data, through its binary as a user
// would run it: materialize the evaluations, let ONE daemon pass produce metrics and plot for
// every model, check the numbers and the SVG, and check that nothing is recomputed or requested
// again when nothing changed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "e2e/pipeline_cli_test.hpp"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::set<std::string> kModels{"xgboost", "linear", "baseline"};
const char* kEvaluations = "*evaluate_xgboost or *evaluate_linear or *evaluate_baseline";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class DemandForecast : public PipelineCliTest {
 protected:
  DemandForecast() : PipelineCliTest("demand_forecast") {}

  void SetUp() override {
    PipelineCliTest::SetUp();
    // A copy of the committed data, so a test may change it.
    data_ = home_ / "chicago.csv";
    fs::copy_file(fs::path(CAIRN_SOURCE_DIR) / "data" / "chicago.csv", data_);
  }

  std::map<std::string, std::string> environment() const override {
    return {{"DEMAND_FORECAST_DATA", data_.string()}};
  }

  // The metadata of a step's materialization in a run: label -> value.
  json step_metadata(const std::string& run_id, const std::string& step) {
    for (const auto& e : cli_json({"runs", "logs", run_id})) {
      if (e["type"] != "ASSET_MATERIALIZATION" || e["step"] != step) continue;
      json out = json::object();
      for (const auto& [label, entry] : e["payload"]["metadata"].items())
        out[label] = entry["value"];
      return out;
    }
    ADD_FAILURE() << "no materialization of " << step << " in run " << run_id;
    return json();
  }

  fs::path data_;
};

TEST_F(DemandForecast, EvaluationsThenOneDaemonPassGiveMetricsAndPlotsForEveryModel) {
  json first = cli_json({"materialize", "--select", kEvaluations});
  ASSERT_EQ(first["status"], "SUCCESS") << first.dump();
  EXPECT_EQ(first["steps"].size(), 9u) << first.dump();
  EXPECT_EQ(cli_json({"partitions", "keys", "models"}).get<std::set<std::string>>(), kModels);

  // One daemon pass requests metrics and plot of every model: one run per partition.
  ProcessResult daemon = cli({"daemon", "--once"});
  ASSERT_EQ(daemon.exit_code, 0) << daemon.out << daemon.err;
  json runs = finished_automation_runs(kModels.size());
  ASSERT_EQ(runs.size(), kModels.size()) << runs.dump();
  std::set<std::string> steps;
  std::map<std::string, std::string> run_of;
  for (const auto& r : runs) {
    EXPECT_EQ(r["status"], "SUCCESS") << r.dump();
    for (const auto& s : r["steps"]) {
      steps.insert(s);
      run_of[s] = r["run_id"];
    }
  }
  std::set<std::string> expected;
  for (const auto& m : kModels) {
    expected.insert("metrics[" + m + "]");
    expected.insert("plot[" + m + "]");
  }
  EXPECT_EQ(steps, expected);

  // Week-ahead errors in thousands of riders (mean ridership 13.6): the learned models beat
  // the same-weekday-last-week baseline clearly.
  std::map<std::string, json> metrics;
  for (const auto& m : kModels)
    metrics[m] = step_metadata(run_of["metrics[" + m + "]"], "metrics[" + m + "]");
  for (const auto& [model, md] : metrics) {
    EXPECT_EQ(md["folds"], 4) << model;
  }
  // Measured on the committed data: MAE 1.52 / 1.24 / 0.84, RMSE 3.25 / 1.66 / 1.14, MAPE
  // 16 % / 11 % / 7 % (baseline / linear / xgboost). The baseline's MAE equals pandas'
  // |ridership - ridership.shift(7 days)| over the same four 91-day folds.
  const double baseline = metrics["baseline"]["mean_mae"];
  const double linear = metrics["linear"]["mean_mae"];
  const double xgboost = metrics["xgboost"]["mean_mae"];
  EXPECT_NEAR(baseline, 1.5201, 1e-3);
  EXPECT_GT(linear, 1.0);
  EXPECT_LT(linear, 0.9 * baseline);
  EXPECT_GT(xgboost, 0.6);
  EXPECT_LT(xgboost, 0.7 * baseline);
  // The baseline repeats every holiday a week later: its squared errors are far worse.
  EXPECT_LT(metrics["linear"]["mean_rmse"].get<double>(),
            0.6 * metrics["baseline"]["mean_rmse"].get<double>());
  EXPECT_LT(metrics["xgboost"]["mean_rmse"].get<double>(),
            0.6 * metrics["baseline"]["mean_rmse"].get<double>());
  EXPECT_LT(metrics["xgboost"]["mean_mape"].get<double>(), 0.1);
  EXPECT_GT(metrics["baseline"]["mean_mape"].get<double>(), 0.1);

  // The plot is an SVG artifact under the instance, linked from the materialization.
  for (const auto& m : kModels) {
    json md = step_metadata(run_of["plot[" + m + "]"], "plot[" + m + "]");
    ASSERT_TRUE(md.contains("plot")) << md.dump();
    fs::path svg_path = md["plot"].get<std::string>();
    EXPECT_TRUE(
        fs::canonical(svg_path).string().starts_with(fs::canonical(home_ / "instance").string()))
        << svg_path;
    std::string svg = read_file(svg_path);
    EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 100);
    EXPECT_TRUE(svg.ends_with("</svg>\n"));
    EXPECT_NE(svg.find(m + ": forecast vs actual"), std::string::npos);
  }

  // Nothing changed: nothing to recompute, nothing to request.
  ProcessResult again = cli({"materialize", "--select", "*", "--stale-only"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  ProcessResult second = cli({"daemon", "--once"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(cli_json({"runs", "list", "--tag", "cairn/automation=automation"}).size(),
            kModels.size());

  // New data: the evaluations change, and one daemon pass refreshes every model's metrics and
  // plot (each partition reads every evaluation; see the tutorial).
  std::string data = read_file(data_);
  const auto last_line = data.rfind('\n', data.size() - 2) + 1;
  data.replace(last_line, data.find(',', last_line) - last_line, "30.5");
  std::ofstream(data_, std::ios::binary | std::ios::trunc) << data;
  json rerun = cli_json({"materialize", "--select", kEvaluations, "--stale-only"});
  EXPECT_EQ(rerun["steps"].size(), 9u) << rerun.dump();
  ASSERT_EQ(cli({"daemon", "--once"}).exit_code, 0);
  json after = finished_automation_runs(2 * kModels.size());
  ASSERT_EQ(after.size(), 2 * kModels.size()) << after.dump();
  for (const auto& r : after) EXPECT_EQ(r["status"], "SUCCESS") << r.dump();
}

}  // namespace
}  // namespace cairn::testing
