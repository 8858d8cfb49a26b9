#pragma once
// The automation daemon (docs/automation.md, "The daemon"): one loop that evaluates the
// schedules, the sensors and the automation conditions, commits each evaluation as a tick, and
// lets the run queue launch what was queued.
//
// Design note: every decision is committed through AutomationStore::commit_tick, which creates
// the runs and claims their run keys in one transaction; a tick is first recorded STARTED. A
// daemon killed at any instant leaves either nothing, a STARTED tick (re-evaluated at the next
// start with the same tick time, hence the same run keys, so nothing launches twice), or a
// committed tick. Only the holder of the "daemon" lease evaluates or launches anything, so two
// daemons on one instance do not race; the lease expires if its holder dies, and another daemon
// takes over. Rejected: a pid file (stale after a crash, useless across hosts) and in-memory
// bookkeeping of launched ticks (lost on a crash).
//
// Wake-ups: the loop sleeps until the next due time (the earliest next cron tick of the running
// schedules, the next sensor evaluation, a lease renewal), polling Storage::last_event_id()
// every event_poll meanwhile; a new event (a materialization, a finished run) ends the sleep at
// once, so the automation conditions and the run queue react within one poll interval.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/automation_evaluator.hpp"
#include "automation/run_queue_hook.hpp"
#include "automation/schedule_evaluator.hpp"
#include "automation/staleness_tracker.hpp"
#include "core/clock.hpp"
#include "core/storage.hpp"
#include "graph/asset_graph.hpp"

namespace cairn {

struct DaemonOptions {
  /// Identifies this daemon in the lease; default: "<host>:<pid>:<random>".
  std::string owner{};
  /// How long the lease outlives its last renewal (the loop renews it at least every ttl / 3).
  std::chrono::seconds lease_ttl{30};
  /// How often the sleeping loop checks for new events.
  std::chrono::milliseconds event_poll{200};
  /// Receives the daemon's log lines (lease waits, tick outcomes); may be empty.
  std::function<void(std::string_view)> log{};
};

/// What one iteration did.
struct DaemonIteration {
  bool has_lease = false;
  std::vector<TickRecord> ticks;  ///< the ticks committed, in commit order (with their outcome)
  std::vector<std::string> created_run_ids;
  std::vector<std::string> duplicate_run_keys;  ///< requested again; launched nothing
  TimePoint next_due{};                         ///< when the next iteration has work to do
};

/// The instigator name and kind under which automation-condition ticks are stored.
inline constexpr std::string_view kAutomationInstigator = "automation";

/// Thread safety: one thread drives a Daemon (run_once or run); `storage`, `graph`, `clock` and
/// `run_queue` must outlive it. Releases its lease on destruction.
///
/// @code
///   cairn::Daemon daemon(instance.storage(), graph, clock, {}, run_queue);
///   std::atomic<bool> stop{false};
///   daemon.run(stop);  // until stop becomes true
/// @endcode
class Daemon {
 public:
  /// Throws ScheduleError if a schedule or sensor of the graph's Definitions is invalid (bad
  /// cron or time zone, unknown job, sensor without a function...), naming it.
  Daemon(Storage& storage, const AssetGraph& graph, Clock& clock, DaemonOptions options,
         RunQueueHook& run_queue);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// One iteration at `now`: takes or renews the lease (without it, does nothing else);
  /// re-evaluates STARTED ticks left by a daemon that died (once per lease taken); evaluates the
  /// due schedule ticks and sensors, the automation conditions, then calls the run queue.
  DaemonIteration run_once(TimePoint now);

  /// Iterates until `stop` becomes true (checked at least every event_poll), sleeping between
  /// iterations as described at the top of this file. Releases the lease when it returns.
  void run(const std::atomic<bool>& stop);

  const std::string& owner() const { return options_.owner; }

 private:
  struct SensorSlot {
    const Sensor* sensor;
    std::optional<TimePoint> last_evaluated;
  };

  void log(const std::string& line);
  InstigatorState state_of(std::string_view name, InstigatorKind kind, bool running_by_default,
                           TimePoint now);
  void recover_started_ticks(TimePoint now, DaemonIteration& out);
  void evaluate_schedules(TimePoint now, DaemonIteration& out);
  void evaluate_sensors(TimePoint now, DaemonIteration& out);
  void evaluate_automation(TimePoint now, DaemonIteration& out);
  /// Evaluates the schedule tick at `tick` into `tick_record` (already begun) and commits it.
  void commit_schedule_tick(const ScheduleEvaluator& schedule, std::chrono::sys_seconds tick,
                            TickRecord tick_record, TimePoint now, DaemonIteration& out);
  void commit_sensor_tick(SensorSlot& slot, TickRecord tick_record, TimePoint now,
                          DaemonIteration& out);
  void commit(TickCommit& commit, TimePoint now, DaemonIteration& out);

  Storage& storage_;
  AutomationStore& store_;
  const AssetGraph& graph_;
  Clock& clock_;
  DaemonOptions options_;
  RunQueueHook& run_queue_;
  std::vector<std::unique_ptr<ScheduleEvaluator>> schedules_;
  std::vector<SensorSlot> sensors_;
  bool has_automation_ = false;  // some asset has an automation condition
  StalenessTracker staleness_;   // kept across automation evaluations
  AutomationEvaluator evaluator_;
  std::optional<TimePoint> last_automation_;  // when the automation was last evaluated
  std::int64_t automation_event_id_ = 0;      // the newest event id it had seen
  bool has_lease_ = false;
  bool waiting_logged_ = false;
};

}  // namespace cairn
