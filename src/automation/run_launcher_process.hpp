#pragma once
// How the run queue starts a dequeued run (docs/run-queue.md, "Launching"): the pipeline binary
// runs it in a process of its own (`<binary> runs execute RUN_ID`), so that a run outlives the
// daemon that launched it and a crashing step takes down one run, not the daemon.
//
// Design: the child is detached with a double fork (the daemon never has zombies to reap, and
// the run is not killed with the daemon's process group); an exec failure is reported back
// through a close-on-exec pipe, so that "could not start" is an error of launch() rather than a
// run that silently never heartbeats.

#include <filesystem>
#include <string>
#include <vector>

#include "core/run_record.hpp"

namespace cairn {

/// Starts a run that the queue has dequeued (status STARTING). Implementations must not block
/// on the run's execution. Throws cairn::Error if the run could not be started.
class RunLauncher {
 public:
  virtual ~RunLauncher() = default;
  virtual void launch(const RunRecord& run) = 0;
};

/// Launches each run as `<executable> --home <home> runs execute RUN_ID`, detached, with stdout
/// and stderr appended to <home>/logs/<run id>.log.
///
/// @code
///   ProcessRunLauncher launcher(instance.home());  // this binary, /proc/self/exe
///   RunQueue queue(instance, defs.run_queue, launcher, new_run_id);
/// @endcode
class ProcessRunLauncher final : public RunLauncher {
 public:
  /// `executable`: the pipeline binary; empty: this process's own (/proc/self/exe).
  explicit ProcessRunLauncher(std::filesystem::path home, std::filesystem::path executable = {});

  /// Throws Error naming the run, the binary and the system error if it could not be started.
  void launch(const RunRecord& run) override;

  /// The log file of a launched run.
  std::filesystem::path log_path(const std::string& run_id) const;

 private:
  std::filesystem::path home_;
  std::filesystem::path executable_;
};

}  // namespace cairn
