#include "automation/run_queue.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <utility>

#include "automation/backfill.hpp"
#include "cairn/error.hpp"
#include "core/clock.hpp"

namespace cairn {

namespace {

// Queued runs read per iteration: enough for any realistic set of runs blocked by tag limits at
// the head of the queue, small enough that a queue of 10 000 backfill runs costs little.
constexpr int kQueuedRunsPerIteration = 1000;

int resume_attempt(const RunRecord& run) {
  const auto tag = run.tags.find(kResumeAttemptTag);
  if (tag == run.tags.end()) return 0;
  int attempt = 0;
  const auto [end, error] =
      std::from_chars(tag->second.data(), tag->second.data() + tag->second.size(), attempt);
  return error == std::errc() ? attempt : 0;
}

double last_sign_of_life(const RunRecord& run) {
  return std::max({run.heartbeat_at, run.started_at, run.created_at});
}

/// Counts active runs per tag (key, value) for the tag limits.
class TagOccupancy {
 public:
  explicit TagOccupancy(const std::vector<RunQueueSettings::TagLimit>& limits) : limits_(limits) {}

  void add(const RunRecord& run) {
    for (const auto& limit : limits_) {
      const auto tag = run.tags.find(limit.key);
      if (tag != run.tags.end()) ++counts_[{tag->first, tag->second}];
    }
  }

  /// Whether launching `run` keeps every limit.
  bool admits(const RunRecord& run) const {
    for (const auto& limit : limits_) {
      const auto tag = run.tags.find(limit.key);
      if (tag == run.tags.end()) continue;
      if (limit.value != "*" && limit.value != tag->second) continue;
      const auto count = counts_.find({tag->first, tag->second});
      if (count != counts_.end() && count->second >= limit.limit) return false;
    }
    return true;
  }

 private:
  const std::vector<RunQueueSettings::TagLimit>& limits_;
  std::map<std::pair<std::string, std::string>, int> counts_;
};

}  // namespace

RunQueue::RunQueue(Instance& instance, RunQueueSettings settings, RunLauncher& launcher,
                   std::function<std::string()> new_run_id)
    : instance_(instance),
      settings_(std::move(settings)),
      launcher_(launcher),
      new_run_id_(std::move(new_run_id)) {}

void RunQueue::on_iteration(std::chrono::system_clock::time_point now) {
  monitor(now);
  launch(now);
}

RunQueue::MonitorResult RunQueue::monitor(std::chrono::system_clock::time_point now) {
  Storage& storage = instance_.storage();
  const double now_s = to_epoch_seconds(now);
  const double timeout = static_cast<double>(settings_.heartbeat_timeout.count());
  MonitorResult result;
  for (const RunRecord& run : storage.automation().active_runs()) {
    const double silent = now_s - last_sign_of_life(run);
    if (silent <= timeout) continue;
    const std::string reason = "no heartbeat for " +
                               std::to_string(static_cast<long long>(std::floor(silent))) +
                               " s (process lost)";
    if (!instance_.fail_lost_run(run.run_id, reason)) continue;
    result.failed.push_back(run.run_id);
    const std::optional<RunRecord> failed = storage.get_run(run.run_id);
    if (!failed) continue;
    std::string resumed = resume(*failed, now_s);
    if (!resumed.empty()) result.resumed.push_back(std::move(resumed));
  }
  return result;
}

std::string RunQueue::resume(const RunRecord& failed, double now) {
  const int attempt = resume_attempt(failed);
  if (attempt >= settings_.max_resume_attempts || failed.cancel_requested) return "";
  Storage& storage = instance_.storage();
  AutomationStore& store = storage.automation();
  const auto backfill_tag = failed.tags.find(kBackfillTag);
  std::optional<BackfillRecord> backfill;
  if (backfill_tag != failed.tags.end()) {
    backfill = store.get_backfill(backfill_tag->second);
    if (backfill && backfill->status == BackfillStatus::kCanceled) return "";
  }

  RunRecord run;
  run.run_id = new_run_id_();
  run.job_name = failed.job_name;
  run.selection = failed.selection;
  run.status = RunStatus::kQueued;
  run.config_json = failed.config_json;
  run.tags = failed.tags;
  run.tags[kResumeAttemptTag] = std::to_string(attempt + 1);
  run.tags[kReexecutionTag] = "from_failure";
  run.parent_run_id = failed.run_id;
  run.root_run_id = failed.root_run_id.empty() ? failed.run_id : failed.root_run_id;
  run.created_at = now;
  run.partition_keys = failed.partition_keys;
  run.priority = failed.priority;
  if (backfill) {
    // The partitions follow the run that now covers them; the backfill is running again.
    store.requeue_backfill_partitions(backfill->backfill_id, run.partition_keys, run);
    if (backfill->status != BackfillStatus::kRequested) {
      store.set_backfill_status(backfill->backfill_id, BackfillStatus::kRequested, 0);
    }
  } else {
    storage.add_run(run);
  }
  return run.run_id;
}

RunQueue::LaunchResult RunQueue::launch(std::chrono::system_clock::time_point now) {
  Storage& storage = instance_.storage();
  AutomationStore& store = storage.automation();
  LaunchResult result;
  const std::vector<RunRecord> active = store.active_runs();
  int running = static_cast<int>(active.size());
  if (running >= settings_.max_concurrent_runs) return result;
  TagOccupancy occupancy(settings_.tag_limits);
  for (const RunRecord& run : active) occupancy.add(run);

  for (const RunRecord& run : store.queued_runs(kQueuedRunsPerIteration)) {
    if (running >= settings_.max_concurrent_runs) break;
    if (!occupancy.admits(run)) continue;
    if (!store.dequeue_run(run.run_id)) continue;  // taken by another daemon, or canceled
    // From here the run is ours: count it even if its launch fails below.
    store.heartbeat(run.run_id, to_epoch_seconds(now));
    ++running;
    occupancy.add(run);
    try {
      launcher_.launch(run);
      result.launched.push_back(run.run_id);
    } catch (const Error& e) {
      instance_.fail_lost_run(run.run_id,
                              std::string("the run could not be launched: ") + e.what());
      result.failed_to_launch.push_back(run.run_id);
    }
  }
  return result;
}

}  // namespace cairn
