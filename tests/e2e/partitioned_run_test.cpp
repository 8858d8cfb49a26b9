// Partitions, partition mappings, dynamic partitions, asset checks and staleness, driven through
// the partitioned_pipeline binary as a user would.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/pipeline_cli_test.hpp"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PartitionedRun : public PipelineCliTest {
 protected:
  PartitionedRun() : PipelineCliTest("partitioned_pipeline") {}

  void SetUp() override {
    PipelineCliTest::SetUp();
    write_source("sales v1\n");
  }

  std::map<std::string, std::string> environment() const override {
    return {{"SALES_SOURCE_FILE", (home_ / "source.txt").string()}};
  }

  void write_source(const std::string& text) {
    std::ofstream(home_ / "source.txt", std::ios::trunc) << text;
  }

  // Events of a run of the given type.
  std::vector<json> events(const std::string& run_id, const std::string& type) {
    json all = cli_json({"runs", "logs", run_id});
    std::vector<json> out;
    for (const auto& e : all) {
      if (e["type"] == type) out.push_back(e);
    }
    return out;
  }
};

TEST_F(PartitionedRun, OnePartitionIsOneStepWithItsKeyAndWindow) {
  json run = cli_json({"materialize", "--select", "+sales/raw", "--partition", "2025-01-03"});
  EXPECT_EQ(run["status"], "SUCCESS");
  EXPECT_EQ(run["steps"], json({"sales/source", "sales/raw[2025-01-03]"}));
  EXPECT_EQ(run["partitions"], json({"2025-01-03"}));
  auto materialized = events(run["run_id"], "ASSET_MATERIALIZATION");
  ASSERT_EQ(materialized.size(), 2u);
  EXPECT_EQ(materialized[1]["partition"], "2025-01-03");
  json payload = materialized[1]["payload"];
  EXPECT_EQ(payload["metadata"]["window_hours"]["value"], 24);
  EXPECT_EQ(payload["data_version"].get<std::string>().size(), 32u);
  ASSERT_EQ(payload["inputs"].size(), 1u);
  EXPECT_EQ(payload["inputs"][0][0], "sales/source");
}

TEST_F(PartitionedRun, ARangeMaterializesEveryPartitionInOrder) {
  json run = cli_json(
      {"materialize", "--select", "*sales/clean", "--partitions", "2025-01-01..2025-01-04"});
  EXPECT_EQ(run["status"], "SUCCESS");
  EXPECT_EQ(run["steps"].size(), 9u);  // source + 4 raw + 4 clean
  EXPECT_EQ(run["partitions"].size(), 4u);
}

TEST_F(PartitionedRun, KeysOutsideTheDefinitionAreRejectedWithTheValidRange) {
  ProcessResult r = cli({"materialize", "--select", "sales/raw", "--partition", "2024-12-31"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("2025-01-01"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2025-01-10"), std::string::npos) << r.err;
  r = cli({"materialize", "--select", "sales/raw", "--partitions", "2025-01-05..2025-01-02"});
  EXPECT_NE(r.exit_code, 0);
  r = cli({"materialize", "--select", "sales/raw"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--partition"), std::string::npos) << r.err;
  // Nothing was recorded by the rejected commands.
  json runs = cli_json({"runs", "list"});
  EXPECT_TRUE(runs.empty()) << runs.dump();
}

TEST_F(PartitionedRun, OffsetReadsThePreviousDayAndFanInReadsEveryDay) {
  ASSERT_EQ(cli_json({"materialize", "--select", "*sales/clean", "--partitions",
                      "2025-01-01..2025-01-03"})["status"],
            "SUCCESS");
  json change = cli_json({"materialize", "--select", "sales/change", "--partition", "2025-01-03"});
  ASSERT_EQ(change["status"], "SUCCESS");
  auto loaded = events(change["run_id"], "STEP_INPUT_LOADED");
  std::set<std::string> inputs;
  for (const auto& e : loaded) inputs.insert(e["payload"]["input"]);
  EXPECT_EQ(inputs, (std::set<std::string>{"sales/clean[2025-01-02]", "sales/clean[2025-01-03]"}));

  // The first day of `change` has no previous day of `clean` to read: it is not a partition.
  ProcessResult r = cli({"materialize", "--select", "sales/change", "--partition", "2025-01-01"});
  EXPECT_NE(r.exit_code, 0);

  json total = cli_json({"materialize", "--select", "sales/total"});
  ASSERT_EQ(total["status"], "SUCCESS");
  auto m = events(total["run_id"], "ASSET_MATERIALIZATION");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["payload"]["metadata"]["days"]["value"], 3);
  EXPECT_EQ(m[0]["payload"]["metadata"]["sum"]["value"], 6.0);  // 1 + 2 + 3
  EXPECT_EQ(m[0]["payload"]["inputs"].size(), 3u);
}

TEST_F(PartitionedRun, AssetCodeAddsDynamicPartitionsThatCanThenBeMaterialized) {
  ProcessResult r = cli({"materialize", "--select", "models/metrics", "--partition", "xgb"});
  EXPECT_NE(r.exit_code, 0) << "the set is empty before models/register runs";
  ASSERT_EQ(cli_json({"materialize", "--select", "models/register"})["status"], "SUCCESS");
  EXPECT_EQ(cli_json({"partitions", "keys", "models"}), json({"xgb", "linear"}));
  json run = cli_json({"materialize", "--select", "models/metrics", "--partition", "linear"});
  EXPECT_EQ(run["steps"], json({"models/metrics[linear]"}));
  EXPECT_EQ(run["status"], "SUCCESS");

  // The CLI adds and removes keys too; unknown set names are refused.
  EXPECT_EQ(cli_json({"partitions", "add", "models", "baseline"})["added"], json({"baseline"}));
  EXPECT_EQ(cli_json({"partitions", "delete", "models", "xgb"})["deleted"], json({"xgb"}));
  EXPECT_EQ(cli_json({"partitions", "keys", "models"}), json({"linear", "baseline"}));
  r = cli({"partitions", "add", "modles", "x"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("models"), std::string::npos) << r.err;
}

TEST_F(PartitionedRun, AFailedBlockingCheckStopsTheDownstreamStepsAndNamesTheCheck) {
  ASSERT_EQ(
      cli_json({"materialize", "--select", "*sales/clean", "--partition", "2025-01-01"})["status"],
      "SUCCESS");
  write_source("negative sales\n");
  // change[2025-01-02] reads clean[2025-01-01] (stored, fine) and clean[2025-01-02] (computed
  // in this run from the negative source: its blocking check fails).
  json run = cli_json(
      {"materialize", "--select", "*sales/change", "--partitions", "2025-01-02..2025-01-03"}, 1);
  EXPECT_EQ(run["status"], "FAILURE");
  auto failures = events(run["run_id"], "STEP_FAILURE");
  ASSERT_FALSE(failures.empty());
  EXPECT_NE(failures[0]["message"].get<std::string>().find("non_negative"), std::string::npos);
  auto skipped = events(run["run_id"], "STEP_SKIPPED");
  ASSERT_FALSE(skipped.empty());
  for (const auto& e : skipped) {
    EXPECT_NE(e["message"].get<std::string>().find("blocking check 'non_negative'"),
              std::string::npos)
        << e.dump();
  }
  // The value stays stored for inspection, and the checks can run alone against it.
  auto checks = events(run["run_id"], "ASSET_CHECK_EVALUATION");
  EXPECT_GE(checks.size(), 2u);
  json alone = cli_json({"check", "--select", "sales/clean", "--partition", "2025-01-02"}, 1);
  ASSERT_EQ(alone["results"].size(), 2u);
  EXPECT_EQ(alone["results"][0]["check"], "non_negative");
  EXPECT_EQ(alone["results"][0]["passed"], false);
  EXPECT_EQ(alone["results"][1]["severity"], "warn");
}

TEST_F(PartitionedRun, AWarningCheckIsRecordedAndStopsNothing) {
  json run = cli_json(
      {"materialize", "--select", "*sales/clean", "--partitions", "2025-01-05..2025-01-06"});
  EXPECT_EQ(run["status"], "SUCCESS");
  std::size_t warned = 0;
  for (const auto& e : events(run["run_id"], "ASSET_CHECK_EVALUATION")) {
    if (e["payload"]["check"] == "small" && e["payload"]["passed"] == false) ++warned;
  }
  EXPECT_EQ(warned, 2u);  // days 5 and 6 are not < 5
}

TEST_F(PartitionedRun, TheDaemonEagerlyMaterializesNewDynamicPartitions) {
  ASSERT_EQ(cli_json({"materialize", "--select", "models/register"})["status"], "SUCCESS");
  ProcessResult daemon = cli({"daemon", "--once"});
  ASSERT_EQ(daemon.exit_code, 0) << daemon.out << daemon.err;
  json runs = finished_automation_runs(2);
  ASSERT_EQ(runs.size(), 2u) << runs.dump();
  std::set<std::string> steps;
  for (const auto& r : runs) {
    EXPECT_EQ(r["status"], "SUCCESS") << r.dump();
    for (const auto& s : r["steps"]) steps.insert(s);
  }
  EXPECT_EQ(steps, (std::set<std::string>{"models/metrics[xgb]", "models/metrics[linear]"}));

  // Nothing new: the next evaluation requests nothing; a new key is exactly one new run.
  cli({"daemon", "--once"});
  EXPECT_EQ(cli_json({"runs", "list", "--tag", "cairn/automation=automation"}).size(), 2u);
  ASSERT_EQ(cli_json({"partitions", "add", "models", "baseline"})["added"], json({"baseline"}));
  cli({"daemon", "--once"});
  json after = finished_automation_runs(3);
  ASSERT_EQ(after.size(), 3u) << after.dump();
  EXPECT_EQ(after[0]["steps"], json({"models/metrics[baseline]"}));
  EXPECT_EQ(after[0]["status"], "SUCCESS") << after[0].dump();
}

const json* find_asset(const json& status, const std::string& key) {
  for (const auto& entry : status) {
    if (entry["asset"] == key) return &entry;
  }
  return nullptr;
}

TEST_F(PartitionedRun, StaleOnlyRecomputesNothingUntilTheSourceOrTheCodeChanges) {
  json status = cli_json({"status"});
  ASSERT_NE(find_asset(status, "sales/report"), nullptr);
  EXPECT_EQ((*find_asset(status, "sales/report"))["status"], "missing");

  json first = cli_json({"materialize", "--select", "*sales/report", "--stale-only"});
  ASSERT_EQ(first["status"], "SUCCESS");
  EXPECT_EQ(first["steps"].size(), 23u);  // source, 10 raw, 10 clean, total, report

  ProcessResult again = cli({"materialize", "--select", "*sales/report", "--stale-only"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  status = cli_json({"status", "--select", "*sales/report"});
  for (const auto& entry : status) EXPECT_EQ(entry["status"], "fresh") << entry.dump();

  // A new code version makes the asset stale, and says so.
  status = cli_json({"status", "--select", "sales/report"}, 0, {{"REPORT_CODE_VERSION", "2"}});
  EXPECT_EQ(status[0]["status"], "stale");
  EXPECT_EQ(status[0]["reasons"], json({"code version changed 1 → 2"}));

  // A changed source file, once observed, is new data for everything downstream of it.
  write_source("sales v2\n");
  status = cli_json({"status", "--select", "sales/source"});
  EXPECT_EQ(status[0]["status"], "fresh") << "not observed yet";
  json observed = cli_json({"observe", "--select", "sales/source"});
  ASSERT_EQ(observed.size(), 1u);
  status = cli_json({"status", "--select", "sales/source"});
  EXPECT_EQ(status[0]["status"], "stale");
  json rerun = cli_json({"materialize", "--select", "*sales/report", "--stale-only"});
  EXPECT_EQ(rerun["steps"].size(), 23u);
  again = cli({"materialize", "--select", "*sales/report", "--stale-only"});
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
}

TEST_F(PartitionedRun, StatusShowsPartitionCountsAndFailedChecks) {
  ASSERT_EQ(cli_json({"materialize", "--select", "*sales/clean", "--partitions",
                      "2025-01-01..2025-01-03"})["status"],
            "SUCCESS");
  json status = cli_json({"status", "--select", "sales/clean"});
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0]["status"], "partial");
  EXPECT_EQ(status[0]["partitions"]["fresh"], 3);
  EXPECT_EQ(status[0]["partitions"]["missing"], 7);
  EXPECT_EQ(status[0]["steps"].size(), 10u);
  EXPECT_EQ(status[0]["steps"][0]["status"], "fresh");
  EXPECT_EQ(status[0]["steps"][3]["reasons"], json({"never materialized"}));
  std::size_t failed_warnings = 0;
  for (const auto& c : status[0]["checks"]) {
    if (c["check"] == "small" && c["passed"] == false) ++failed_warnings;
  }
  EXPECT_EQ(failed_warnings, 0u);  // days 1-3 are < 5
  ProcessResult table = cli({"status", "--partitions"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("sales/clean[2025-01-02]"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("3 fresh, 0 stale, 7 missing"), std::string::npos) << table.out;
}

TEST_F(PartitionedRun, HistoryListsAnAssetsMaterializationsAndChecksNewestFirst) {
  ASSERT_EQ(cli_json({"materialize", "--select", "*sales/clean", "--partitions",
                      "2025-01-01..2025-01-02"})["status"],
            "SUCCESS");
  ASSERT_EQ(
      cli_json({"materialize", "--select", "sales/clean", "--partition", "2025-01-02"})["status"],
      "SUCCESS");
  // Day 2 twice: two materializations, each followed by its two checks; newest first.
  json day2 = cli_json({"history", "sales/clean", "--partition", "2025-01-02"});
  ASSERT_EQ(day2.size(), 6u) << day2.dump();
  std::vector<std::string> types;
  for (std::size_t i = 0; i < day2.size(); ++i) {
    types.push_back(day2[i]["type"]);
    EXPECT_EQ(day2[i]["partition"], "2025-01-02");
    if (i > 0) {
      EXPECT_LT(day2[i]["id"].get<std::int64_t>(), day2[i - 1]["id"].get<std::int64_t>());
    }
  }
  EXPECT_EQ(types[2], "ASSET_MATERIALIZATION");
  EXPECT_EQ(types[5], "ASSET_MATERIALIZATION");
  EXPECT_NE(day2[0]["run_id"], day2[5]["run_id"]);

  json checks = cli_json({"history", "sales/clean", "--kind", "checks"});
  EXPECT_EQ(checks.size(), 6u);  // 2 checks x 3 materializations
  for (const auto& e : checks) EXPECT_EQ(e["type"], "ASSET_CHECK_EVALUATION");

  // Paging: the two newest, then what is older than the second.
  json first = cli_json({"history", "sales/clean", "-n", "2"});
  ASSERT_EQ(first.size(), 2u);
  json older = cli_json({"history", "sales/clean", "-n", "2", "--before",
                         std::to_string(first[1]["id"].get<std::int64_t>())});
  ASSERT_EQ(older.size(), 2u);
  EXPECT_LT(older[0]["id"].get<std::int64_t>(), first[1]["id"].get<std::int64_t>());

  ProcessResult table = cli({"history", "sales/clean", "-n", "3"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("MATERIALIZED"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("non_negative passed (error, blocking)"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("older: --before"), std::string::npos) << table.out;

  ProcessResult typo = cli({"history", "sales/claen"});
  EXPECT_EQ(typo.exit_code, 4);
  EXPECT_NE(typo.err.find("did you mean 'sales/clean'"), std::string::npos) << typo.err;
  EXPECT_EQ(cli({"history", "sales/clean", "--kind", "plots"}).exit_code, 2);
}

}  // namespace
}  // namespace cairn::testing
