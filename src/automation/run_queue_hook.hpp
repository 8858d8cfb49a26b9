#pragma once
// The daemon's seam to the run queue: once per iteration, after the schedules, sensors and
// automation conditions have queued their runs, the daemon lets the run queue launch queued runs
// and monitor running ones. Tests pass a recording stub.

#include <chrono>

namespace cairn {

class RunQueueHook {
 public:
  virtual ~RunQueueHook() = default;
  /// Called by the daemon holding the lease, once per iteration, from the daemon's thread.
  virtual void on_iteration(std::chrono::system_clock::time_point now) = 0;
};

}  // namespace cairn
