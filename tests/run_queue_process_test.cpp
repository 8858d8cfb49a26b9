// The run queue launching real processes: a backfill run dequeued by RunQueue is started as
// `run_queue_pipeline runs execute RUN_ID`, executes its partitions, heartbeats, logs to
// <home>/logs, and its final event ends its backfill partitions; a binary that cannot start
// fails the run.

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "automation/backfill.hpp"
#include "automation/run_queue.hpp"
#include "core/clock.hpp"
#include "file_contents.hpp"
#include "scratch_dir.hpp"

namespace cairn {
namespace {

using namespace std::chrono_literals;

std::string pipeline_binary() {
  const char* dir = std::getenv("CAIRN_BIN_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/run_queue_pipeline";
}

std::function<std::string()> ids() {
  return [n = std::make_shared<int>(0)] { return "rq-" + std::to_string(++*n) + "-0000"; };
}

/// Polls until the run has finished (a real process executes it), or fails the test.
RunRecord wait_until_finished(Storage& storage, const std::string& run_id) {
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<RunRecord> run = storage.get_run(run_id);
    if (run && is_finished(run->status)) return *run;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "run " << run_id << " did not finish";
  return *storage.get_run(run_id);
}

TEST(RunQueueProcessTest, LaunchedBackfillRunExecutesInItsOwnProcess) {
  testing::ScratchDir dir;
  auto instance = Instance::open(dir.path());
  Storage& storage = instance->storage();
  const BackfillRecord backfill =
      create_backfill(storage.automation(),
                      {.selection = "raw*",
                       .partition_keys = {"2000-01-01", "2000-01-02"},
                       .max_partitions_per_run = 2},
                      to_epoch_seconds(std::chrono::system_clock::now()), ids());

  ProcessRunLauncher launcher(instance->home(), pipeline_binary());
  RunQueue queue(*instance, {.max_concurrent_runs = 2}, launcher, ids());
  const auto launched = queue.launch(std::chrono::system_clock::now()).launched;
  ASSERT_EQ(launched.size(), 1u);

  const RunRecord run = wait_until_finished(storage, launched[0]);
  const std::string log = testing::file_contents(launcher.log_path(run.run_id));
  EXPECT_EQ(run.status, RunStatus::kSuccess) << log;
  EXPECT_GT(run.heartbeat_at, 0);
  EXPECT_TRUE(storage.latest_materialization("clean", "2000-01-02").has_value()) << log;
  EXPECT_NE(log.find(run.run_id), std::string::npos) << log;
  // The backfill's partitions moved in the transaction of the run's final event: once the run
  // is seen finished, they are too, with no wait.
  for (const auto& p : storage.automation().backfill_partitions(backfill.backfill_id)) {
    EXPECT_EQ(p.status, PartitionRunStatus::kSuccess) << p.partition_key;
  }
  EXPECT_EQ(storage.automation().get_backfill(backfill.backfill_id)->status,
            BackfillStatus::kCompleted);
}

TEST(RunQueueProcessTest, BinaryThatCannotStartFailsTheRun) {
  testing::ScratchDir dir;
  auto instance = Instance::open(dir.path());
  RunRecord queued;
  queued.run_id = "never-starts";
  queued.root_run_id = queued.run_id;
  queued.selection = "raw";
  queued.status = RunStatus::kQueued;
  instance->storage().add_run(queued);

  ProcessRunLauncher launcher(instance->home(), dir.path() / "no-such-binary");
  RunQueue queue(*instance, {}, launcher, ids());
  const auto result = queue.launch(std::chrono::system_clock::now());
  EXPECT_EQ(result.failed_to_launch, std::vector<std::string>{"never-starts"});
  const auto run = instance->storage().get_run("never-starts");
  EXPECT_EQ(run->status, RunStatus::kFailure);
  EXPECT_NE(run->failure_reason.find("No such file or directory"), std::string::npos)
      << run->failure_reason;
}

}  // namespace
}  // namespace cairn
