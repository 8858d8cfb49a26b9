// Backfill records on a real SQLite instance: splitting into runs, per-partition outcomes as the
// runs' events land, the backfill's end status, cancel and resume.

#include "automation/backfill.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

using Keys = std::vector<std::string>;

TEST(SplitIntoRunsTest, ChunksKeepOrderAndTheLastChunkHoldsTheRest) {
  const Keys keys{"a", "b", "c", "d", "e"};
  EXPECT_EQ(split_into_runs(keys, false, 1),
            (std::vector<Keys>{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}));
  EXPECT_EQ(split_into_runs(keys, false, 2), (std::vector<Keys>{{"a", "b"}, {"c", "d"}, {"e"}}));
  EXPECT_EQ(split_into_runs(keys, false, 5), (std::vector<Keys>{keys}));
  EXPECT_EQ(split_into_runs(keys, false, 50), (std::vector<Keys>{keys}));
  EXPECT_EQ(split_into_runs(keys, true, 1), (std::vector<Keys>{keys}));
  EXPECT_THROW(split_into_runs(keys, false, 0), ConfigError);
}

class BackfillTest : public ::testing::Test {
 protected:
  void SetUp() override { instance_ = Instance::open(dir_.path()); }
  Storage& storage() { return instance_->storage(); }
  AutomationStore& store() { return storage().automation(); }

  std::function<std::string()> ids() {
    return [counter = std::make_shared<std::atomic<int>>(0)] {
      return "id" + std::to_string(++*counter) + "-xxxxxxxx";
    };
  }

  BackfillRecord create(Keys keys, int per_run, bool single_run = false) {
    BackfillRequest request{.selection = "raw+",
                            .tags = {{"owner", "ana"}},
                            .partition_keys = std::move(keys),
                            .single_run = single_run,
                            .max_partitions_per_run = per_run};
    return create_backfill(store(), request, 1000, ids_);
  }

  std::map<std::string, PartitionRunStatus> statuses(const std::string& id) {
    std::map<std::string, PartitionRunStatus> out;
    for (const auto& p : store().backfill_partitions(id)) out[p.partition_key] = p.status;
    return out;
  }

  void append(const std::string& run_id, EventType type, const std::string& step_key = "",
              double timestamp = 2000) {
    std::vector<Event> events(1);
    events[0].run_id = run_id;
    events[0].timestamp = timestamp;
    events[0].type = type;
    events[0].step_key = step_key;
    storage().append_events(events);
  }

  /// What the daemon and the run's process do until the run's steps begin: dequeue it, record
  /// its planned steps, RUN_START.
  void start(const std::string& run_id, const Keys& step_keys) {
    ASSERT_TRUE(store().dequeue_run(run_id));
    storage().claim_run(run_id, "host", 1, step_keys);
    append(run_id, EventType::kRunStart);
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Instance> instance_;
  std::function<std::string()> ids_ = ids();
};

TEST_F(BackfillTest, CreateWritesTheBackfillItsPartitionsAndQueuedRuns) {
  const BackfillRecord backfill = create({"d1", "d2", "d3", "d4", "d5"}, 2);
  EXPECT_EQ(backfill.backfill_id, "id1-xxxx");
  auto stored = store().get_backfill(backfill.backfill_id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, BackfillStatus::kRequested);
  EXPECT_EQ(stored->partition_count, 5);
  EXPECT_EQ(stored->selection, "raw+");

  auto partitions = store().backfill_partitions(backfill.backfill_id);
  ASSERT_EQ(partitions.size(), 5u);
  auto queued = store().queued_runs(100);
  ASSERT_EQ(queued.size(), 3u);
  std::map<std::string, Keys> keys_of_run;
  for (const auto& run : queued) {
    EXPECT_EQ(run.tags.at(kBackfillTag), backfill.backfill_id);
    EXPECT_EQ(run.tags.at("owner"), "ana");
    EXPECT_EQ(run.selection, "raw+");
    keys_of_run[run.run_id] = run.partition_keys;
  }
  EXPECT_EQ(keys_of_run.at("id2-xxxxxxxx"), (Keys{"d1", "d2"}));
  EXPECT_EQ(keys_of_run.at("id3-xxxxxxxx"), (Keys{"d3", "d4"}));
  EXPECT_EQ(keys_of_run.at("id4-xxxxxxxx"), (Keys{"d5"}));
  for (const auto& p : partitions) {
    EXPECT_EQ(p.status, PartitionRunStatus::kQueued);
    const Keys& covered = keys_of_run.at(p.run_id);
    EXPECT_NE(std::find(covered.begin(), covered.end(), p.partition_key), covered.end());
  }
}

TEST_F(BackfillTest, OutcomesPerPartitionThenTheBackfillEnds) {
  const BackfillRecord backfill = create({"d1", "d2", "d3"}, 2);
  ASSERT_EQ(store().queued_runs(10).size(), 2u);

  start("id2-xxxxxxxx", {"raw[d1]", "raw[d2]", "clean[d1]", "clean[d2]", "summary"});
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kInProgress);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d3"), PartitionRunStatus::kQueued);

  // d1's steps all succeeded, d2's downstream step failed; the unpartitioned step is ignored.
  append("id2-xxxxxxxx", EventType::kStepSuccess, "raw[d1]");
  append("id2-xxxxxxxx", EventType::kStepSuccess, "raw[d2]");
  append("id2-xxxxxxxx", EventType::kStepSuccess, "clean[d1]");
  append("id2-xxxxxxxx", EventType::kStepFailure, "clean[d2]");
  append("id2-xxxxxxxx", EventType::kStepSkipped, "summary");
  append("id2-xxxxxxxx", EventType::kRunFailure, "", 3000);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kSuccess);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d2"), PartitionRunStatus::kFailure);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kRequested)
      << "d3 is still queued";

  start("id3-xxxxxxxx", {"raw[d3]"});
  append("id3-xxxxxxxx", EventType::kRunSuccess, "", 4000);
  const BackfillProgress progress = store().backfill_progress(backfill.backfill_id);
  EXPECT_EQ(progress.succeeded, 2);
  EXPECT_EQ(progress.failed, 1);
  auto ended = store().get_backfill(backfill.backfill_id);
  EXPECT_EQ(ended->status, BackfillStatus::kFailed);
  EXPECT_DOUBLE_EQ(ended->ended_at, 4000);
}

TEST_F(BackfillTest, AllPartitionsSucceededCompletesTheBackfill) {
  const BackfillRecord backfill = create({"d1", "d2"}, 1, /*single_run=*/true);
  ASSERT_EQ(store().queued_runs(10).size(), 1u);
  EXPECT_EQ(storage().get_run("id2-xxxxxxxx")->partition_keys, (Keys{"d1", "d2"}));
  start("id2-xxxxxxxx", {"raw[d1]", "raw[d2]"});
  append("id2-xxxxxxxx", EventType::kRunSuccess);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCompleted);
}

TEST_F(BackfillTest, ARunThatFailsBeforeItPlannedFailsItsPartitions) {
  const BackfillRecord backfill = create({"d1"}, 1);
  ASSERT_TRUE(store().dequeue_run("id2-xxxxxxxx"));
  append("id2-xxxxxxxx", EventType::kRunFailure);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kFailure);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kFailed);
}

TEST_F(BackfillTest, CancelStopsQueuedRunsAndAsksRunningOnesToStop) {
  const BackfillRecord backfill = create({"d1", "d2", "d3"}, 1);
  // The daemon launched d1's run.
  const RunRecord running = *storage().get_run("id2-xxxxxxxx");
  start(running.run_id, {"raw[d1]"});

  const BackfillCancelResult result = cancel_backfill(storage(), backfill.backfill_id, 5000);
  EXPECT_EQ(result.canceled_runs, 2);
  EXPECT_EQ(result.cancel_requested_runs, 1);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCanceled);
  EXPECT_TRUE(store().queued_runs(10).empty()) << "no daemon can launch them any more";
  EXPECT_EQ(storage().get_run("id3-xxxxxxxx")->status, RunStatus::kCanceled);
  EXPECT_EQ(storage().get_run("id4-xxxxxxxx")->status, RunStatus::kCanceled);
  EXPECT_TRUE(storage().is_cancel_requested(running.run_id));
  auto s = statuses(backfill.backfill_id);
  EXPECT_EQ(s.at("d1"), PartitionRunStatus::kInProgress);
  EXPECT_EQ(s.at("d2"), PartitionRunStatus::kCanceled);
  EXPECT_EQ(s.at("d3"), PartitionRunStatus::kCanceled);
  EXPECT_THROW(cancel_backfill(storage(), backfill.backfill_id, 5001), Error);

  // The running run stops.
  append(running.run_id, EventType::kRunCanceled);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kCanceled);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCanceled)
      << "a canceled backfill stays canceled";
}

TEST_F(BackfillTest, ResumeRequeuesFailedAndCanceledPartitionsInNewRuns) {
  const BackfillRecord backfill = create({"d1", "d2", "d3", "d4"}, 2);
  start("id2-xxxxxxxx", {"raw[d1]", "raw[d2]"});
  start("id3-xxxxxxxx", {"raw[d3]", "raw[d4]"});
  append("id2-xxxxxxxx", EventType::kRunSuccess);
  append("id3-xxxxxxxx", EventType::kStepFailure, "raw[d3]");
  append("id3-xxxxxxxx", EventType::kStepSuccess, "raw[d4]");
  append("id3-xxxxxxxx", EventType::kRunFailure);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kFailed);

  const BackfillResumeResult result = resume_backfill(storage(), backfill.backfill_id, 6000, ids_);
  EXPECT_EQ(result.partitions, 1);
  ASSERT_EQ(result.run_ids.size(), 1u);
  auto queued = store().queued_runs(10);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].run_id, result.run_ids[0]);
  EXPECT_EQ(queued[0].partition_keys, (Keys{"d3"}));
  EXPECT_EQ(queued[0].tags.at(kBackfillTag), backfill.backfill_id);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kRequested);
  for (const auto& p : store().backfill_partitions(backfill.backfill_id)) {
    if (p.partition_key == "d3") {
      EXPECT_EQ(p.status, PartitionRunStatus::kQueued);
      EXPECT_EQ(p.run_id, result.run_ids[0]);
    }
  }

  // Nothing left to resume once the new run succeeded.
  start(result.run_ids[0], {"raw[d3]"});
  append(result.run_ids[0], EventType::kRunSuccess);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCompleted);
  EXPECT_THROW(resume_backfill(storage(), backfill.backfill_id, 7000, ids_), Error);
}

TEST_F(BackfillTest, UnknownBackfillIsNotFound) {
  EXPECT_THROW(cancel_backfill(storage(), "nope", 1), NotFoundError);
  EXPECT_THROW(resume_backfill(storage(), "nope", 1, ids_), NotFoundError);
}

}  // namespace
}  // namespace cairn
