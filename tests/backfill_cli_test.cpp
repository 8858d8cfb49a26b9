// `backfill create|list|show|cancel|resume` through the pipeline's command line (run_cli), on a
// real SQLite instance: 10 000 daily partitions, chunking, bad ranges and mixed partitionings
// rejected with nothing written, cancel and resume.

#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "automation/backfill.hpp"
#include "cairn/cairn.hpp"
#include "scratch_dir.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

using nlohmann::json;
using Keys = std::vector<std::string>;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Definitions pipeline() {
  auto raw = asset<int>("raw").partitioned(daily("1990-01-01")).compute([](Context&) { return 1; });
  auto clean = asset<int>("clean")
                   .partitioned(daily("1990-01-01"))
                   .compute([](Context&, const int& r) { return r + 1; }, raw);
  auto regions = asset<int>("regions")
                     .partitioned(static_partitions({"eu", "us", "asia"}))
                     .compute([](Context&) { return 2; });
  auto summary = asset<int>("summary").compute([](Context&) { return 3; });
  return Definitions{.assets = {raw, clean, regions, summary},
                     .jobs = {{.name = "days", .selection = "raw*", .tags = {{"kind", "daily"}}}}};
}

class BackfillCliTest : public ::testing::Test {
 protected:
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"pipeline", "--home", home().string()});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    CliResult r;
    r.exit_code = run_cli(defs_, static_cast<int>(argv.size()), argv.data());
    std::cout.flush();
    std::cerr.flush();
    r.out = ::testing::internal::GetCapturedStdout();
    r.err = ::testing::internal::GetCapturedStderr();
    return r;
  }

  json create_json(std::vector<std::string> args) {
    args.insert(args.begin(), {"backfill", "create"});
    args.push_back("--json");
    CliResult r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  std::filesystem::path home() const { return dir_.path() / "home"; }

  /// Opened after the command ran, as another process would.
  std::unique_ptr<Instance> instance() { return Instance::open(home()); }

  void expect_nothing_written() {
    auto inst = instance();
    EXPECT_TRUE(inst->storage().automation().list_backfills(10).empty());
    EXPECT_TRUE(inst->storage().list_runs({}).empty());
  }

  testing::ScratchDir dir_;
  Definitions defs_ = pipeline();
};

TEST_F(BackfillCliTest, TenThousandDailyPartitionsBecomeQueuedRunsAndPartitionRows) {
  CliResult r = cli({"backfill", "create", "--select", "raw*", "--partitions",
                     "1990-01-01..2017-05-18", "--tag", "owner=ana"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("10000 partitions (1990-01-01 .. 2017-05-18) in 10000 runs"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("start `pipeline daemon` to launch them"), std::string::npos) << r.out;

  auto inst = instance();
  AutomationStore& store = inst->storage().automation();
  const auto backfills = store.list_backfills(10);
  ASSERT_EQ(backfills.size(), 1u);
  const BackfillRecord& backfill = backfills[0];
  EXPECT_EQ(backfill.partition_count, 10000);
  EXPECT_EQ(backfill.selection, "raw*");
  EXPECT_NE(r.out.find("backfill " + backfill.backfill_id + " created"), std::string::npos);

  const auto partitions = store.backfill_partitions(backfill.backfill_id);
  ASSERT_EQ(partitions.size(), 10000u);
  EXPECT_EQ(partitions.front().partition_key, "1990-01-01");
  EXPECT_EQ(partitions[59].partition_key, "1990-03-01");
  EXPECT_EQ(partitions.back().partition_key, "2017-05-18");

  const auto queued = store.queued_runs(20000);
  ASSERT_EQ(queued.size(), 10000u);
  std::map<std::string, std::string> key_of_run;
  for (const auto& run : queued) {
    ASSERT_EQ(run.partition_keys.size(), 1u);
    EXPECT_EQ(run.tags.at(kBackfillTag), backfill.backfill_id);
    EXPECT_EQ(run.tags.at("owner"), "ana");
    key_of_run[run.run_id] = run.partition_keys[0];
  }
  for (const auto& p : partitions) {
    EXPECT_EQ(p.status, PartitionRunStatus::kQueued);
    ASSERT_EQ(key_of_run.at(p.run_id), p.partition_key);
  }
}

TEST_F(BackfillCliTest, MaxPartitionsPerRunChunksAndSingleRunTakesAll) {
  const json chunked = create_json({"--select", "raw", "--partitions", "2000-01-01..2000-01-10",
                                    "--max-partitions-per-run", "3"});
  EXPECT_EQ(chunked["partition_count"], 10);
  EXPECT_EQ(chunked["run_count"], 4);
  const json single =
      create_json({"--job", "days", "--partitions", "2000-02-01..2000-02-10", "--single-run"});
  EXPECT_EQ(single["run_count"], 1);
  EXPECT_EQ(single["job"], "days");

  auto inst = instance();
  std::map<std::string, std::vector<Keys>> runs_of;  // backfill id -> partition keys per run
  for (const auto& run : inst->storage().automation().queued_runs(100)) {
    runs_of[run.tags.at(kBackfillTag)].push_back(run.partition_keys);
  }
  auto& chunks = runs_of[chunked["backfill_id"]];
  std::sort(chunks.begin(), chunks.end());
  EXPECT_EQ(chunks, (std::vector<Keys>{{"2000-01-01", "2000-01-02", "2000-01-03"},
                                       {"2000-01-04", "2000-01-05", "2000-01-06"},
                                       {"2000-01-07", "2000-01-08", "2000-01-09"},
                                       {"2000-01-10"}}));
  const auto& one = runs_of[single["backfill_id"]];
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].size(), 10u);
  EXPECT_EQ(one[0].front(), "2000-02-01");
}

TEST_F(BackfillCliTest, InvalidRangesAreRejectedWithTheValidRangeAndNothingWritten) {
  for (const std::string range : {"1989-12-30..1990-01-05", "2000-01-10..2000-01-01", "2000-01-01",
                                  "2000-13-01..2000-12-31"}) {
    CliResult r = cli({"backfill", "create", "--select", "raw", "--partitions", range});
    EXPECT_EQ(r.exit_code, 2) << range;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << range << ": " << r.err;
  }
  CliResult before_start =
      cli({"backfill", "create", "--select", "raw", "--partitions", "1989-12-30..1990-01-05"});
  EXPECT_NE(before_start.err.find("1990-01-01"), std::string::npos)
      << "the error states where the valid range starts: " << before_start.err;
  CliResult zero = cli({"backfill", "create", "--select", "raw", "--partitions",
                        "2000-01-01..2000-01-02", "--max-partitions-per-run", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  CliResult both = cli({"backfill", "create", "--select", "raw", "--partitions",
                        "2000-01-01..2000-01-02", "--single-run", "--max-partitions-per-run", "4"});
  EXPECT_EQ(both.exit_code, 2);
  expect_nothing_written();
}

TEST_F(BackfillCliTest, MixedOrMissingPartitioningIsRejectedNamingTheAssets) {
  CliResult mixed = cli({"backfill", "create", "--select", "raw or regions", "--partitions",
                         "2000-01-01..2000-01-02"});
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find("'raw'"), std::string::npos) << mixed.err;
  EXPECT_NE(mixed.err.find("'regions'"), std::string::npos) << mixed.err;
  CliResult none =
      cli({"backfill", "create", "--select", "summary", "--partitions", "2000-01-01..2000-01-02"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("partitioned"), std::string::npos) << none.err;
  expect_nothing_written();
}

TEST_F(BackfillCliTest, StaticPartitionRange) {
  const json b = create_json({"--select", "regions", "--partitions", "eu..us"});
  EXPECT_EQ(b["partition_count"], 2);
}

TEST_F(BackfillCliTest, ShowPagesThroughPartitions) {
  const json b = create_json({"--select", "raw", "--partitions", "2000-01-01..2000-01-05"});
  const std::string id = b["backfill_id"];
  CliResult page = cli({"backfill", "show", id, "--limit", "2", "--offset", "1", "--json"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  const json shown = json::parse(page.out);
  EXPECT_EQ(shown["status"], "REQUESTED");
  EXPECT_EQ(shown["progress"]["queued"], 5);
  EXPECT_EQ(shown["partitions_matching"], 5);
  ASSERT_EQ(shown["partitions"].size(), 2u);
  EXPECT_EQ(shown["partitions"][0]["partition"], "2000-01-02");
  EXPECT_EQ(shown["partitions"][1]["partition"], "2000-01-03");

  CliResult text = cli({"backfill", "show", id, "--limit", "2"});
  EXPECT_NE(text.out.find("partitions 1-2 of 5; --offset 2 shows the next ones"), std::string::npos)
      << text.out;
  EXPECT_EQ(cli({"backfill", "show", "nope"}).exit_code, 4);
}

TEST_F(BackfillCliTest, CancelThenResume) {
  const json b = create_json({"--select", "raw", "--partitions", "2000-01-01..2000-01-04",
                              "--max-partitions-per-run", "2"});
  const std::string id = b["backfill_id"];
  CliResult cancel = cli({"backfill", "cancel", id});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("2 queued run(s) canceled"), std::string::npos) << cancel.out;
  {
    auto inst = instance();
    EXPECT_TRUE(inst->storage().automation().queued_runs(10).empty());
    RunFilter canceled;
    canceled.status = RunStatus::kCanceled;
    EXPECT_EQ(inst->storage().list_runs(canceled).size(), 2u);
    EXPECT_EQ(inst->storage().automation().backfill_progress(id).canceled, 4);
  }
  EXPECT_EQ(cli({"backfill", "cancel", id}).exit_code, 2) << "already canceled";

  CliResult resume = cli({"backfill", "resume", id});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_NE(resume.out.find("4 failed or canceled partition(s) queued again in 2 run(s)"),
            std::string::npos)
      << resume.out;
  auto inst = instance();
  EXPECT_EQ(inst->storage().automation().queued_runs(10).size(), 2u);
  EXPECT_EQ(inst->storage().automation().get_backfill(id)->status, BackfillStatus::kRequested);

  CliResult list = cli({"backfill", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(json::parse(list.out)[0]["progress"]["queued"], 4);
}

}  // namespace
}  // namespace cairn
