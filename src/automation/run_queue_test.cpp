// The run queue and the run monitor on a real SQLite instance: launch order, the global and tag
// limits, two queues racing for the same runs, and stale-heartbeat failure with resume.

#include "automation/run_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "automation/backfill.hpp"
#include "cairn/error.hpp"
#include "core/clock.hpp"
#include "scratch_dir.hpp"

namespace cairn {
namespace {

using namespace std::chrono_literals;
const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

/// Records the runs it is asked to launch; fails those named in `fail`.
class RecordingLauncher final : public RunLauncher {
 public:
  void launch(const RunRecord& run) override {
    std::lock_guard lock(mutex_);
    if (fail.contains(run.run_id)) throw Error("exec failed: no such binary");
    launched_.push_back(run.run_id);
  }
  std::vector<std::string> launched() {
    std::lock_guard lock(mutex_);
    return launched_;
  }
  std::set<std::string> fail;

 private:
  std::mutex mutex_;
  std::vector<std::string> launched_;  // guarded by mutex_
};

class RunQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { instance_ = Instance::open(dir_.path() / "home"); }

  Storage& storage() { return instance_->storage(); }

  std::function<std::string()> ids(std::string prefix) {
    return [prefix, counter = std::make_shared<std::atomic<int>>(0)] {
      return prefix + std::to_string(++*counter);
    };
  }

  RunQueue queue(RunQueueSettings settings) {
    return RunQueue(*instance_, std::move(settings), launcher_, ids("resume-"));
  }

  void enqueue(const std::string& id, int priority = 0, double created_at = 1000,
               std::map<std::string, std::string> tags = {}) {
    RunRecord run;
    run.run_id = id;
    run.root_run_id = id;
    run.selection = "a";
    run.status = RunStatus::kQueued;
    run.priority = priority;
    run.created_at = created_at;
    run.tags = std::move(tags);
    storage().add_run(run);
  }

  void finish(const std::string& id, EventType type = EventType::kRunSuccess) {
    std::vector<Event> events(1);
    events[0].run_id = id;
    events[0].timestamp = to_epoch_seconds(kNow);
    events[0].type = type;
    storage().append_events(events);
  }

  RunStatus status(const std::string& id) { return storage().get_run(id)->status; }

  testing::ScratchDir dir_;
  std::unique_ptr<Instance> instance_;
  RecordingLauncher launcher_;
};

TEST_F(RunQueueTest, LaunchesHighestPriorityFirstThenOldest) {
  enqueue("old-low", 0, 100);
  enqueue("new-high", 5, 300);
  enqueue("old-high", 5, 200);
  enqueue("new-low", 0, 400);
  enqueue("urgent", 10, 500);
  auto result = queue({.max_concurrent_runs = 10}).launch(kNow);
  const std::vector<std::string> expected{"urgent", "old-high", "new-high", "old-low", "new-low"};
  EXPECT_EQ(result.launched, expected);
  EXPECT_EQ(launcher_.launched(), expected);
  for (const auto& id : expected) {
    EXPECT_EQ(status(id), RunStatus::kStarting) << id;
    EXPECT_DOUBLE_EQ(storage().get_run(id)->heartbeat_at, to_epoch_seconds(kNow)) << id;
  }
}

TEST_F(RunQueueTest, GlobalLimitCountsActiveRuns) {
  for (int i = 1; i <= 5; ++i) enqueue("r" + std::to_string(i), 0, 100 + i);
  RunQueue q = queue({.max_concurrent_runs = 2});
  EXPECT_EQ(q.launch(kNow).launched, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_TRUE(q.launch(kNow).launched.empty()) << "two runs are still active";
  finish("r1");
  EXPECT_EQ(q.launch(kNow).launched, (std::vector<std::string>{"r3"}));
  EXPECT_EQ(status("r4"), RunStatus::kQueued);
  EXPECT_EQ(status("r5"), RunStatus::kQueued);
}

TEST_F(RunQueueTest, TagLimitOnOneValueLeavesOtherRunsAlone) {
  enqueue("ml-1", 0, 101, {{"team", "ml"}});
  enqueue("ml-2", 0, 102, {{"team", "ml"}});
  enqueue("bi-1", 0, 103, {{"team", "bi"}});
  enqueue("bi-2", 0, 104, {{"team", "bi"}});
  enqueue("untagged", 0, 105);
  RunQueue q = queue(
      {.max_concurrent_runs = 10, .tag_limits = {{.key = "team", .value = "ml", .limit = 1}}});
  EXPECT_EQ(q.launch(kNow).launched,
            (std::vector<std::string>{"ml-1", "bi-1", "bi-2", "untagged"}));
  EXPECT_EQ(status("ml-2"), RunStatus::kQueued);
  finish("ml-1", EventType::kRunFailure);
  EXPECT_EQ(q.launch(kNow).launched, (std::vector<std::string>{"ml-2"}));
}

TEST_F(RunQueueTest, WildcardTagLimitAppliesPerDistinctValue) {
  enqueue("ml-1", 0, 101, {{"team", "ml"}});
  enqueue("ml-2", 0, 102, {{"team", "ml"}});
  enqueue("bi-1", 0, 103, {{"team", "bi"}});
  enqueue("bi-2", 0, 104, {{"team", "bi"}});
  enqueue("ops-1", 0, 105, {{"team", "ops"}});
  enqueue("untagged", 0, 106);
  RunQueue q =
      queue({.max_concurrent_runs = 10, .tag_limits = {{.key = "team", .value = "*", .limit = 1}}});
  EXPECT_EQ(q.launch(kNow).launched,
            (std::vector<std::string>{"ml-1", "bi-1", "ops-1", "untagged"}));
  finish("bi-1");
  EXPECT_EQ(q.launch(kNow).launched, (std::vector<std::string>{"bi-2"}));
  EXPECT_EQ(status("ml-2"), RunStatus::kQueued);
}

TEST_F(RunQueueTest, FailedLaunchFailsTheRunWithTheLauncherError) {
  enqueue("good", 0, 100);
  enqueue("bad", 0, 200);
  launcher_.fail.insert("bad");
  auto result = queue({.max_concurrent_runs = 10}).launch(kNow);
  EXPECT_EQ(result.launched, (std::vector<std::string>{"good"}));
  EXPECT_EQ(result.failed_to_launch, (std::vector<std::string>{"bad"}));
  auto bad = storage().get_run("bad");
  EXPECT_EQ(bad->status, RunStatus::kFailure);
  EXPECT_NE(bad->failure_reason.find("could not be launched: exec failed"), std::string::npos)
      << bad->failure_reason;
}

TEST_F(RunQueueTest, FailedLaunchOfABackfillRunFailsItsPartitionsWithTheRun) {
  const BackfillRecord backfill =
      create_backfill(storage().automation(), {.selection = "a", .partition_keys = {"d1", "d2"}},
                      1000, ids("bf-"));  // runs bf-2 (d1) and bf-3 (d2)
  launcher_.fail.insert("bf-2");
  auto result = queue({.max_concurrent_runs = 10}).launch(kNow);
  EXPECT_EQ(result.failed_to_launch, (std::vector<std::string>{"bf-2"}));
  const auto partitions = storage().automation().backfill_partitions(backfill.backfill_id);
  EXPECT_EQ(partitions[0].status, PartitionRunStatus::kFailure);
  EXPECT_EQ(partitions[1].status, PartitionRunStatus::kQueued) << "launched, not started yet";
  EXPECT_EQ(storage().automation().get_backfill(backfill.backfill_id)->status,
            BackfillStatus::kRequested);
}

TEST_F(RunQueueTest, TwoQueuesOnOneInstanceLaunchEachRunExactlyOnce) {
  constexpr int kRuns = 60;
  for (int i = 0; i < kRuns; ++i) enqueue("run-" + std::to_string(i), i % 3, 100 + i);
  // A second connection to the same database, as a second daemon process would have.
  std::unique_ptr<Instance> other = Instance::open(dir_.path() / "home");
  RecordingLauncher other_launcher;
  RunQueue first(*instance_, {.max_concurrent_runs = 1000}, launcher_, ids("x"));
  RunQueue second(*other, {.max_concurrent_runs = 1000}, other_launcher, ids("y"));
  std::thread a([&] {
    for (int i = 0; i < 5; ++i) first.launch(kNow);
  });
  std::thread b([&] {
    for (int i = 0; i < 5; ++i) second.launch(kNow);
  });
  a.join();
  b.join();
  std::multiset<std::string> all;
  for (const auto& id : launcher_.launched()) all.insert(id);
  for (const auto& id : other_launcher.launched()) all.insert(id);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kRuns));
  for (int i = 0; i < kRuns; ++i) EXPECT_EQ(all.count("run-" + std::to_string(i)), 1u) << i;
}

class RunMonitorTest : public RunQueueTest {
 protected:
  /// A run this host's process was executing, last heartbeat at `heartbeat`.
  void started_run(const std::string& id, TimePoint heartbeat) {
    RunRecord run;
    run.run_id = id;
    run.root_run_id = id;
    run.selection = "a";
    run.status = RunStatus::kStarted;
    run.created_at = to_epoch_seconds(heartbeat) - 10;
    run.started_at = to_epoch_seconds(heartbeat) - 5;
    run.host = local_hostname();
    run.pid = 999'999;
    run.partition_keys = {"2025-01-01"};
    run.priority = 3;
    run.tags = {{"team", "ml"}};
    storage().add_run(run);
    storage().automation().heartbeat(id, to_epoch_seconds(heartbeat));
  }
};

TEST_F(RunMonitorTest, FailsRunWithStaleHeartbeatAndReleasesItsPoolSlots) {
  started_run("lost", kNow - 120s);
  started_run("fresh", kNow - 30s);
  ASSERT_TRUE(storage().automation().try_claim_pool_slot("gpu", 1, "lost", "train"));
  ASSERT_FALSE(storage().automation().try_claim_pool_slot("gpu", 1, "other", "train"));

  auto result = queue({.heartbeat_timeout = 60s}).monitor(kNow);
  EXPECT_EQ(result.failed, (std::vector<std::string>{"lost"}));
  EXPECT_TRUE(result.resumed.empty()) << "max_resume_attempts is 0";
  auto lost = storage().get_run("lost");
  EXPECT_EQ(lost->status, RunStatus::kFailure);
  EXPECT_EQ(lost->failure_reason, "no heartbeat for 120 s (process lost)");
  EXPECT_EQ(status("fresh"), RunStatus::kStarted);
  EXPECT_TRUE(storage().automation().try_claim_pool_slot("gpu", 1, "other", "train"))
      << "the lost run's slot was freed";
}

TEST_F(RunMonitorTest, LeavesAStaleRunWhoseProcessHoldsItsLock) {
  started_run("hung", kNow - 600s);
  Instance::RunLock lock = instance_->acquire_run_lock("hung");
  auto result = queue({.heartbeat_timeout = 60s}).monitor(kNow);
  EXPECT_TRUE(result.failed.empty());
  EXPECT_EQ(status("hung"), RunStatus::kStarted);
}

TEST_F(RunMonitorTest, FailedStepsOfALostRunAreRecordedAsLost) {
  started_run("lost", kNow - 120s);
  std::vector<Event> events(1);
  events[0].run_id = "lost";
  events[0].type = EventType::kStepStart;
  events[0].step_key = "a[2025-01-01]";
  events[0].payload_json = R"({"attempt": 1})";
  storage().append_events(events);
  queue({.heartbeat_timeout = 60s}).monitor(kNow);
  auto failures = storage().run_events("lost", {.step_key = "a[2025-01-01]"});
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[1].type, EventType::kStepFailure);
  EXPECT_NE(failures[1].payload_json.find("\"lost\""), std::string::npos);
}

TEST_F(RunMonitorTest, ResumesALostRunUpToMaxResumeAttemptsAndNoMore) {
  RunQueue q =
      queue({.max_concurrent_runs = 10, .heartbeat_timeout = 60s, .max_resume_attempts = 2});
  started_run("lost", kNow - 120s);

  TimePoint now = kNow;
  std::vector<std::string> chain{"lost"};
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto result = q.monitor(now);
    ASSERT_EQ(result.failed, std::vector<std::string>{chain.back()});
    ASSERT_EQ(result.resumed.size(), 1u);
    auto resumed = storage().get_run(result.resumed[0]);
    EXPECT_EQ(resumed->status, RunStatus::kQueued);
    EXPECT_EQ(resumed->parent_run_id, chain.back());
    EXPECT_EQ(resumed->root_run_id, "lost");
    EXPECT_EQ(resumed->tags.at(kResumeAttemptTag), std::to_string(attempt));
    EXPECT_EQ(resumed->tags.at(kReexecutionTag), "from_failure");
    EXPECT_EQ(resumed->tags.at("team"), "ml");
    EXPECT_EQ(resumed->partition_keys, std::vector<std::string>{"2025-01-01"});
    EXPECT_EQ(resumed->priority, 3);
    chain.push_back(resumed->run_id);
    // The daemon launches it; its process dies before it ever heartbeats.
    EXPECT_EQ(q.launch(now).launched, std::vector<std::string>{chain.back()});
    now += 61s;
  }
  auto last = q.monitor(now);
  EXPECT_EQ(last.failed, std::vector<std::string>{chain.back()});
  EXPECT_TRUE(last.resumed.empty()) << "two resumes were allowed";
  EXPECT_TRUE(storage().automation().queued_runs(10).empty());
  for (const auto& id : chain) EXPECT_EQ(status(id), RunStatus::kFailure) << id;
}

TEST_F(RunMonitorTest, ALostBackfillRunFailsItsPartitionsThenTheResumeRequeuesThem) {
  const BackfillRecord backfill = create_backfill(
      storage().automation(), {.selection = "a", .partition_keys = {"d1"}}, 1000, ids("bf-"));
  AutomationStore& store = storage().automation();
  {
    RunQueue q = queue({.max_concurrent_runs = 10, .heartbeat_timeout = 60s});
    ASSERT_EQ(q.launch(kNow).launched, std::vector<std::string>{"bf-2"});
    EXPECT_EQ(q.monitor(kNow + 61s).failed, std::vector<std::string>{"bf-2"});
  }
  EXPECT_EQ(store.backfill_partitions(backfill.backfill_id)[0].status,
            PartitionRunStatus::kFailure);
  EXPECT_EQ(store.get_backfill(backfill.backfill_id)->status, BackfillStatus::kFailed);

  // With a resume allowed, the partition follows the re-execution run and the backfill runs on.
  const BackfillRecord resumable =
      create_backfill(store, {.selection = "a", .partition_keys = {"d1"}}, 1000, ids("bg-"));
  RunQueue q =
      queue({.max_concurrent_runs = 10, .heartbeat_timeout = 60s, .max_resume_attempts = 1});
  ASSERT_EQ(q.launch(kNow).launched, std::vector<std::string>{"bg-2"});
  const auto result = q.monitor(kNow + 61s);
  ASSERT_EQ(result.resumed.size(), 1u);
  const BackfillPartition partition = store.backfill_partitions(resumable.backfill_id)[0];
  EXPECT_EQ(partition.status, PartitionRunStatus::kQueued);
  EXPECT_EQ(partition.run_id, result.resumed[0]);
  EXPECT_EQ(store.get_backfill(resumable.backfill_id)->status, BackfillStatus::kRequested);
  finish(result.resumed[0]);
  EXPECT_EQ(store.get_backfill(resumable.backfill_id)->status, BackfillStatus::kCompleted);
}

TEST_F(RunMonitorTest, DequeuedRunGetsAWholeTimeoutToStart) {
  enqueue("slow-start", 0, 100);
  RunQueue q = queue({.max_concurrent_runs = 10, .heartbeat_timeout = 60s});
  ASSERT_EQ(q.launch(kNow).launched.size(), 1u);
  EXPECT_TRUE(q.monitor(kNow + 59s).failed.empty());
  EXPECT_EQ(q.monitor(kNow + 61s).failed, std::vector<std::string>{"slow-start"});
}

TEST_F(RunMonitorTest, OnIterationMonitorsThenLaunchesIntoTheFreedPlace) {
  started_run("lost", kNow - 120s);
  enqueue("waiting", 0, 100);
  RunQueue q = queue({.max_concurrent_runs = 1, .heartbeat_timeout = 60s});
  q.on_iteration(kNow);
  EXPECT_EQ(status("lost"), RunStatus::kFailure);
  EXPECT_EQ(launcher_.launched(), std::vector<std::string>{"waiting"});
}

}  // namespace
}  // namespace cairn
