#include "automation/schedule_evaluator.hpp"

#include <date/date.h>

#include <deque>

#include "core/suggest.hpp"
#include "graph/selection.hpp"

namespace cairn {

std::string iso_utc(std::chrono::sys_seconds t) {
  return date::format("%FT%TZ", t);
}

ScheduleEvaluator::ScheduleEvaluator(const Schedule& schedule, const AssetGraph& graph)
    : schedule_(schedule),
      graph_(graph),
      cron_([&] {
        try {
          return CronExpression::parse(schedule.cron);
        } catch (const ScheduleError& e) {
          throw ScheduleError("schedule '" + schedule.name + "': " + e.what());
        }
      }()),
      tz_(locate_time_zone(schedule.timezone, "schedule '" + schedule.name + "'")) {
  if (graph.find_job(schedule.job) == nullptr) {
    std::vector<std::string> names;
    for (const Job& job : graph.definitions().jobs) names.push_back(job.name);
    throw ScheduleError("schedule '" + schedule.name + "' names job '" + schedule.job +
                        "' which is not in Definitions" + did_you_mean(schedule.job, names) +
                        "; add it to Definitions::jobs");
  }
  if (schedule.max_catch_up_ticks < 1) {
    throw ScheduleError("schedule '" + schedule.name + "': max_catch_up_ticks must be at least 1");
  }
}

std::chrono::sys_seconds ScheduleEvaluator::next_tick_after(std::chrono::sys_seconds t) const {
  return cron_.next_after(t, tz_);
}

std::vector<std::chrono::sys_seconds> ScheduleEvaluator::due_ticks(
    std::chrono::sys_seconds after, std::chrono::sys_seconds now) const {
  std::size_t keep =
      schedule_.catch_up ? static_cast<std::size_t>(schedule_.max_catch_up_ticks) : 1;
  std::deque<std::chrono::sys_seconds> ticks;
  for (auto t = cron_.next_after(after, tz_); t <= now; t = cron_.next_after(t, tz_)) {
    ticks.push_back(t);
    if (ticks.size() > keep) ticks.pop_front();
  }
  return {ticks.begin(), ticks.end()};
}

ScheduleTickRequest ScheduleEvaluator::request_for(std::chrono::sys_seconds tick) const {
  RunRequest request;
  request.run_key = iso_utc(tick);
  request.job = schedule_.job;
  const Job* job = graph_.find_job(schedule_.job);
  // The default partition: the one whose window ended at the tick, when the job's time
  // partitions agree and have such a window. Otherwise `no_default` says why, and only
  // customize can give the tick a partition.
  std::optional<PartitionsDefinition> time_partitions;
  std::string no_default;
  bool different_partitions = false;
  for (NodeId id : resolve_selection(graph_, job->selection)) {
    const auto& partitions = graph_.definition(id).partitions;
    if (!partitions || partitions->kind() != PartitionsKind::kTimeWindow) continue;
    if (time_partitions && !(*time_partitions == *partitions)) {
      different_partitions = true;
      no_default = "job '" + job->name + "' selects assets with different time partitions (" +
                   time_partitions->describe() + ", " + partitions->describe() + ")";
      break;
    }
    time_partitions = partitions;
  }
  if (time_partitions && !different_partitions) {
    auto key = time_partitions->key_containing(tick - std::chrono::seconds(1));
    if (key) {
      request.partition_keys = {*key};
    } else {
      no_default =
          "the tick at " + iso_utc(tick) + " ends no partition of " + time_partitions->describe();
    }
  }
  if (!schedule_.customize) {
    if (different_partitions) {
      throw ScheduleError("schedule '" + schedule_.name + "': " + no_default +
                          "; give the partition in Schedule::customize");
    }
    if (!no_default.empty()) return {.request = std::nullopt, .skip_reason = no_default};
    return {.request = std::move(request), .skip_reason = ""};
  }
  std::optional<RunRequest> customized;
  try {
    customized = schedule_.customize(std::chrono::system_clock::time_point(tick), request);
  } catch (const std::exception& e) {
    throw ScheduleError("schedule '" + schedule_.name + "': customize threw: " + e.what());
  }
  if (!customized) return {.request = std::nullopt, .skip_reason = "skipped by customize"};
  // The run key identifies the tick; customize shapes the run, not its identity.
  customized->run_key = request.run_key;
  return {.request = std::move(customized), .skip_reason = ""};
}

}  // namespace cairn
