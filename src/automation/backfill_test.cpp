// Backfill records on a real SQLite instance: splitting into runs, per-partition outcomes, the
// backfill's end status, cancel and resume.

#include "automation/backfill.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "cairn/error.hpp"
#include "plan/partition_space.hpp"
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

TEST(StepKeyTest, ThePartitionIsTheBracketedSuffix) {
  EXPECT_EQ(split_step_key("credit/raw[2025-01-01]").second, "2025-01-01");
  EXPECT_EQ(split_step_key("credit/raw[2025-01-01-06:00]").second, "2025-01-01-06:00");
  EXPECT_EQ(split_step_key("credit/raw").second, "");
  EXPECT_EQ(split_step_key("").second, "");
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

  void end_run(const std::string& run_id, EventType type) {
    std::vector<Event> events(1);
    events[0].run_id = run_id;
    events[0].timestamp = 2000;
    events[0].type = type;
    storage().append_events(events);
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
  auto runs = store().queued_runs(10);
  ASSERT_EQ(runs.size(), 2u);
  RunRecord first = *storage().get_run("id2-xxxxxxxx");
  RunRecord second = *storage().get_run("id3-xxxxxxxx");

  record_backfill_run_started(storage(), first);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kInProgress);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d3"), PartitionRunStatus::kQueued);

  // d1's steps all succeeded, d2's downstream step failed; the unpartitioned step is ignored.
  first.status = RunStatus::kFailure;
  first.ended_at = 3000;
  first.step_keys = {"raw[d1]", "raw[d2]", "clean[d1]", "clean[d2]", "summary"};
  const std::vector<StepOutcome> steps{{"raw[d1]", true},
                                       {"raw[d2]", true},
                                       {"clean[d1]", true},
                                       {"clean[d2]", false},
                                       {"summary", false}};
  record_backfill_outcome(storage(), first, steps);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kSuccess);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d2"), PartitionRunStatus::kFailure);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kRequested)
      << "d3 is still queued";

  second.status = RunStatus::kSuccess;
  second.ended_at = 4000;
  record_backfill_outcome(storage(), second, {});
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
  RunRecord run = *storage().get_run("id2-xxxxxxxx");
  EXPECT_EQ(run.partition_keys, (Keys{"d1", "d2"}));
  run.status = RunStatus::kSuccess;
  record_backfill_outcome(storage(), run, {});
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCompleted);
}

TEST_F(BackfillTest, OutcomeFromStoredEventsOfARunThatNeverPlanned) {
  const BackfillRecord backfill = create({"d1"}, 1);
  ASSERT_TRUE(store().dequeue_run("id2-xxxxxxxx"));
  end_run("id2-xxxxxxxx", EventType::kRunFailure);
  record_backfill_outcome(storage(), "id2-xxxxxxxx");
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kFailure);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kFailed);
}

TEST_F(BackfillTest, CancelStopsQueuedRunsAndAsksRunningOnesToStop) {
  const BackfillRecord backfill = create({"d1", "d2", "d3"}, 1);
  // The daemon launched d1's run.
  RunRecord running = *storage().get_run("id2-xxxxxxxx");
  ASSERT_TRUE(store().dequeue_run(running.run_id));
  record_backfill_run_started(storage(), running);

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
  end_run(running.run_id, EventType::kRunCanceled);
  record_backfill_outcome(storage(), running.run_id);
  EXPECT_EQ(statuses(backfill.backfill_id).at("d1"), PartitionRunStatus::kCanceled);
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCanceled)
      << "a canceled backfill stays canceled";
}

TEST_F(BackfillTest, ResumeRequeuesFailedAndCanceledPartitionsInNewRuns) {
  const BackfillRecord backfill = create({"d1", "d2", "d3", "d4"}, 2);
  for (const char* id : {"id2-xxxxxxxx", "id3-xxxxxxxx"}) ASSERT_TRUE(store().dequeue_run(id));
  end_run("id2-xxxxxxxx", EventType::kRunSuccess);
  end_run("id3-xxxxxxxx", EventType::kRunFailure);
  RunRecord first = *storage().get_run("id2-xxxxxxxx");   // d1, d2
  RunRecord second = *storage().get_run("id3-xxxxxxxx");  // d3, d4
  record_backfill_outcome(storage(), first, {});
  second.step_keys = {"raw[d3]", "raw[d4]"};
  record_backfill_outcome(storage(), second,
                          std::vector<StepOutcome>{{"raw[d3]", false}, {"raw[d4]", true}});
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
  RunRecord resumed = *storage().get_run(result.run_ids[0]);
  resumed.status = RunStatus::kSuccess;
  record_backfill_outcome(storage(), resumed, {});
  EXPECT_EQ(store().get_backfill(backfill.backfill_id)->status, BackfillStatus::kCompleted);
  EXPECT_THROW(resume_backfill(storage(), backfill.backfill_id, 7000, ids_), Error);
}

TEST_F(BackfillTest, UnknownBackfillIsNotFound) {
  EXPECT_THROW(cancel_backfill(storage(), "nope", 1), NotFoundError);
  EXPECT_THROW(resume_backfill(storage(), "nope", 1, ids_), NotFoundError);
}

}  // namespace
}  // namespace cairn
