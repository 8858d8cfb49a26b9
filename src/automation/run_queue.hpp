#pragma once
// The run queue and the run monitor (docs/run-queue.md). Once per daemon iteration:
//
// 1. monitor: every STARTING or STARTED run whose last heartbeat is older than
//    RunQueueSettings::heartbeat_timeout is failed ("no heartbeat for N s (process lost)") by
//    Instance::fail_lost_run — the same events as the recovery of a dead run — unless it is a
//    run of this host whose run lock is still held, i.e. whose process is alive; its pool slots
//    are freed, its backfill partitions recorded as failed, and it is re-executed from its
//    failure up to max_resume_attempts times (a new QUEUED run whose parent is the failed one;
//    the launched process plans the re-execution).
// 2. launch: QUEUED runs, highest priority first, then oldest, are dequeued (QUEUED ->
//    STARTING, atomically in the database, so two daemons never launch one run) and handed to
//    the RunLauncher while fewer than max_concurrent_runs runs are active and every tag limit
//    holds. A dequeued run gets a first heartbeat at once: the launched process has a whole
//    heartbeat timeout to start beating itself.
//
// The limits count runs that are active when the iteration reads them; two daemons iterating at
// the same instant could both fill the last free place, which the daemon lease rules out.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "automation/run_launcher_process.hpp"
#include "automation/run_queue_hook.hpp"
#include "cairn/automation.hpp"
#include "storage/instance.hpp"

namespace cairn {

/// The tag recording how many times the monitor resumed a run's chain: "1" on the first resume.
inline constexpr const char* kResumeAttemptTag = "cairn/resume_attempt";
/// The tag marking a run the launched process must plan as a re-execution of its parent:
/// "from_failure".
inline constexpr const char* kReexecutionTag = "cairn/reexecution";

/// Thread safety: one thread at a time (the daemon loop). `instance` and `launcher` must outlive
/// the queue.
///
/// @code
///   ProcessRunLauncher launcher(instance.home());
///   RunQueue queue(instance, defs.run_queue, launcher, new_run_id);
///   queue.on_iteration(std::chrono::system_clock::now());  // from the daemon loop
/// @endcode
class RunQueue final : public RunQueueHook {
 public:
  /// `new_run_id` makes the ids of resume runs.
  RunQueue(Instance& instance, RunQueueSettings settings, RunLauncher& launcher,
           std::function<std::string()> new_run_id);

  /// monitor(now), then launch(now).
  void on_iteration(std::chrono::system_clock::time_point now) override;

  struct MonitorResult {
    std::vector<std::string> failed;   ///< runs failed for a stale heartbeat
    std::vector<std::string> resumed;  ///< the QUEUED re-execution runs created for them
  };
  MonitorResult monitor(std::chrono::system_clock::time_point now);

  struct LaunchResult {
    std::vector<std::string> launched;
    /// Runs dequeued whose launch failed; each was failed with the launcher's error.
    std::vector<std::string> failed_to_launch;
  };
  LaunchResult launch(std::chrono::system_clock::time_point now);

 private:
  /// Enqueues the re-execution of `failed` if its resume attempts allow; returns its id or "".
  std::string resume(const RunRecord& failed, double now);

  Instance& instance_;
  const RunQueueSettings settings_;
  RunLauncher& launcher_;
  const std::function<std::string()> new_run_id_;
};

}  // namespace cairn
