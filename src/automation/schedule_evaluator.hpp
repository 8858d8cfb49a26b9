#pragma once
// What a schedule asks for at a given time: the cron ticks that are due, and the run request of
// each tick (docs/automation.md, "Schedules").

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "automation/cron.hpp"
#include "cairn/automation.hpp"
#include "graph/asset_graph.hpp"

namespace cairn {

/// The outcome of one tick's request: a request, or why the tick asks for nothing.
struct ScheduleTickRequest {
  std::optional<RunRequest> request;
  std::string skip_reason;
};

/// A schedule with its cron expression and time zone resolved. Immutable; safe to share.
///
/// @code
///   ScheduleEvaluator nightly(defs.schedules[0], graph);   // throws ScheduleError
///   for (auto tick : nightly.due_ticks(last_tick, now)) launch(nightly.request_for(tick));
/// @endcode
class ScheduleEvaluator {
 public:
  /// Throws ScheduleError if the cron expression or the time zone is invalid, or the job is not
  /// in the graph's Definitions.
  ScheduleEvaluator(const Schedule& schedule, const AssetGraph& graph);

  const Schedule& schedule() const { return schedule_; }
  /// The first tick strictly after `t`.
  std::chrono::sys_seconds next_tick_after(std::chrono::sys_seconds t) const;
  /// The ticks in (after, now], oldest first: all of them up to max_catch_up_ticks (the newest
  /// ones) when catch_up is set, else only the newest.
  std::vector<std::chrono::sys_seconds> due_ticks(std::chrono::sys_seconds after,
                                                  std::chrono::sys_seconds now) const;
  /// The request of the tick at `tick`: the schedule's job with run key "<ISO tick time>" (the
  /// builder scopes it to "<schedule>:<ISO tick time>"), for a job of time-partitioned assets
  /// the partition whose window ended at the tick, then Schedule::customize. Throws
  /// ScheduleError if the job's time-partitioned assets disagree on the partition, or if
  /// customize throws (its message is kept).
  ScheduleTickRequest request_for(std::chrono::sys_seconds tick) const;

 private:
  Schedule schedule_;
  const AssetGraph& graph_;
  CronExpression cron_;
  const date::time_zone* tz_;
};

/// "2025-01-02T00:00:00Z".
std::string iso_utc(std::chrono::sys_seconds t);

}  // namespace cairn
