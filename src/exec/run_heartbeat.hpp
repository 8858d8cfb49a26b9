#pragma once
// The heartbeat of a run's process (docs/run-queue.md, "Heartbeats and monitoring"): while the
// process executes a run it records "alive at t" every `interval`, and the daemon's run monitor
// fails a run whose heartbeat is older than RunQueueSettings::heartbeat_timeout.
//
// Design: one thread per run that waits on the Clock between beats, so that tests drive it on a
// FakeClock, and that destruction wakes it at once instead of waiting out the interval. The
// alternative, beating from the engine's coordinator loop, would tie liveness to the engine's
// polling and miss the time spent planning and flushing events.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/automation_store.hpp"
#include "core/clock.hpp"

namespace cairn {

/// Beats for the run `run_id` from construction until destruction.
///
/// The first beat is recorded in the constructor (a StorageError from it propagates: a run that
/// cannot heartbeat should not start); later ones on a thread of this object. A failed later beat
/// is reported on stderr and retried at the next interval: the monitor's timeout is the judge.
/// `store` and `clock` must outlive this object. Not copyable or movable.
///
/// @code
///   RunHeartbeat heartbeat(storage.automation(), run.run_id, clock, std::chrono::seconds(10));
///   engine.execute(run, plan, config);
/// @endcode
class RunHeartbeat {
 public:
  /// Default interval: a sixth of the default heartbeat timeout (60 s), so that a few missed
  /// beats (a slow disk, a busy database) do not make a live run look dead.
  static constexpr std::chrono::seconds kDefaultInterval{10};

  RunHeartbeat(AutomationStore& store, std::string run_id, Clock& clock,
               std::chrono::milliseconds interval = kDefaultInterval);
  /// Stops the thread promptly (it is woken, not waited out).
  ~RunHeartbeat();
  RunHeartbeat(const RunHeartbeat&) = delete;
  RunHeartbeat& operator=(const RunHeartbeat&) = delete;

 private:
  void beat_until_stopped();

  AutomationStore& store_;
  const std::string run_id_;
  Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace cairn
