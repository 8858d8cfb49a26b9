#include "automation/backfill.hpp"

#include <algorithm>
#include <set>

#include "cairn/error.hpp"

namespace cairn {

namespace {

BackfillRecord existing_backfill(AutomationStore& store, std::string_view backfill_id) {
  std::optional<BackfillRecord> backfill = store.get_backfill(backfill_id);
  if (!backfill) {
    throw NotFoundError("no backfill '" + std::string(backfill_id) +
                        "'; `backfill list` shows the backfills of this instance");
  }
  return *backfill;
}

RunRecord queued_run(const BackfillRecord& backfill, std::vector<std::string> partition_keys,
                     std::string run_id, double now) {
  RunRecord run;
  run.run_id = std::move(run_id);
  run.root_run_id = run.run_id;
  run.job_name = backfill.job_name;
  run.selection = backfill.selection;
  run.status = RunStatus::kQueued;
  run.config_json = backfill.config_json;
  run.tags = backfill.tags;
  run.tags[kBackfillTag] = backfill.backfill_id;
  run.created_at = now;
  run.partition_keys = std::move(partition_keys);
  return run;
}

}  // namespace

std::vector<std::vector<std::string>> split_into_runs(std::span<const std::string> keys,
                                                      bool single_run, int max_partitions_per_run) {
  if (!single_run && max_partitions_per_run < 1) {
    throw ConfigError("--max-partitions-per-run must be at least 1, not " +
                      std::to_string(max_partitions_per_run));
  }
  const std::size_t chunk = single_run ? std::max<std::size_t>(keys.size(), 1)
                                       : static_cast<std::size_t>(max_partitions_per_run);
  std::vector<std::vector<std::string>> runs;
  runs.reserve((keys.size() + chunk - 1) / chunk);
  for (std::size_t begin = 0; begin < keys.size(); begin += chunk) {
    const std::size_t end = std::min(keys.size(), begin + chunk);
    runs.emplace_back(keys.begin() + static_cast<std::ptrdiff_t>(begin),
                      keys.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return runs;
}

BackfillRecord create_backfill(AutomationStore& store, const BackfillRequest& request, double now,
                               const std::function<std::string()>& new_id) {
  if (request.partition_keys.empty()) {
    throw ConfigError("a backfill needs at least one partition");
  }
  const auto chunks =
      split_into_runs(request.partition_keys, request.single_run, request.max_partitions_per_run);
  BackfillRecord backfill;
  backfill.backfill_id = new_id().substr(0, 8);
  backfill.status = BackfillStatus::kRequested;
  backfill.selection = request.selection;
  backfill.job_name = request.job_name;
  backfill.config_json = request.config_json.empty() ? "{}" : request.config_json;
  backfill.tags = request.tags;
  backfill.single_run = request.single_run;
  backfill.max_partitions_per_run = request.single_run ? 0 : request.max_partitions_per_run;
  backfill.created_at = now;
  backfill.partition_count = static_cast<std::int64_t>(request.partition_keys.size());

  std::vector<RunRecord> runs;
  runs.reserve(chunks.size());
  for (const auto& keys : chunks) runs.push_back(queued_run(backfill, keys, new_id(), now));
  store.add_backfill(backfill, request.partition_keys, runs);
  return backfill;
}

BackfillCancelResult cancel_backfill(Storage& storage, std::string_view backfill_id, double now) {
  AutomationStore& store = storage.automation();
  const BackfillRecord backfill = existing_backfill(store, backfill_id);
  if (backfill.status != BackfillStatus::kRequested) {
    throw Error("backfill " + backfill.backfill_id + " already ended " +
                std::string(to_string(backfill.status)) + "; nothing to cancel");
  }
  store.set_backfill_status(backfill.backfill_id, BackfillStatus::kCanceled, now);

  // Each run once, with the partitions it covers that are still waiting or running.
  std::set<std::string> waiting;
  std::set<std::string> running;
  for (const BackfillPartition& partition : store.backfill_partitions(backfill.backfill_id)) {
    if (partition.status == PartitionRunStatus::kQueued) {
      waiting.insert(partition.run_id);
    } else if (partition.status == PartitionRunStatus::kInProgress) {
      running.insert(partition.run_id);
    }
  }
  BackfillCancelResult result;
  for (const std::string& run_id : waiting) {
    // Taking the run off the queue first makes the cancellation race-free against a daemon
    // launching it: whoever dequeues it owns it.
    if (store.dequeue_run(run_id)) {
      std::vector<Event> events(1);
      events[0].run_id = run_id;
      events[0].timestamp = now;
      events[0].type = EventType::kRunCanceled;
      events[0].message =
          "backfill " + backfill.backfill_id + " was canceled before the run started";
      storage.append_events(events);  // which makes its partitions CANCELED
      ++result.canceled_runs;
    } else {
      running.insert(run_id);
    }
  }
  for (const std::string& run_id : running) {
    const std::optional<RunRecord> run = storage.get_run(run_id);
    if (run && !is_finished(run->status)) {
      storage.request_cancel(run_id);
      ++result.cancel_requested_runs;
    }
  }
  return result;
}

BackfillResumeResult resume_backfill(Storage& storage, std::string_view backfill_id, double now,
                                     const std::function<std::string()>& new_run_id) {
  AutomationStore& store = storage.automation();
  const BackfillRecord backfill = existing_backfill(store, backfill_id);
  std::vector<std::string> keys;
  for (const BackfillPartition& partition : store.backfill_partitions(backfill.backfill_id)) {
    if (partition.status == PartitionRunStatus::kFailure ||
        partition.status == PartitionRunStatus::kCanceled) {
      keys.push_back(partition.partition_key);
    }
  }
  if (keys.empty()) {
    throw Error("backfill " + backfill.backfill_id +
                " has no failed or canceled partition to resume; `backfill show " +
                backfill.backfill_id + "` shows its partitions");
  }
  BackfillResumeResult result;
  result.partitions = static_cast<std::int64_t>(keys.size());
  for (auto& chunk :
       split_into_runs(keys, backfill.single_run, std::max(backfill.max_partitions_per_run, 1))) {
    RunRecord run = queued_run(backfill, chunk, new_run_id(), now);
    store.requeue_backfill_partitions(backfill.backfill_id, chunk, run);
    result.run_ids.push_back(run.run_id);
  }
  store.set_backfill_status(backfill.backfill_id, BackfillStatus::kRequested, 0);
  return result;
}

}  // namespace cairn
