#include "automation/run_request_builder.hpp"

#include <cstdio>

#include "core/clock.hpp"
#include "core/run_id.hpp"
#include "core/storage.hpp"
#include "core/suggest.hpp"
#include "graph/selection.hpp"
#include "plan/run_plan.hpp"

namespace cairn {
namespace {

std::string describe(std::size_t index, const RunRequest& request) {
  std::string text = "run request " + std::to_string(index + 1);
  if (!request.run_key.empty()) text += " (run key '" + request.run_key + "')";
  return text;
}

std::vector<std::string> job_names(const AssetGraph& graph) {
  std::vector<std::string> names;
  for (const Job& job : graph.definitions().jobs) names.push_back(job.name);
  return names;
}

// Throws if some key is a key of none of the selected partitioned assets.
void validate_partition_keys(const std::vector<std::string>& keys, const std::vector<NodeId>& nodes,
                             const AssetGraph& graph, Storage& storage,
                             std::chrono::sys_seconds now,
                             const std::map<std::string, std::vector<std::string>>& pending,
                             const std::string& what) {
  std::vector<const PartitionsDefinition*> definitions;
  for (NodeId id : nodes) {
    const auto& partitions = graph.definition(id).partitions;
    if (partitions) definitions.push_back(&*partitions);
  }
  if (definitions.empty()) {
    throw ScheduleError(what +
                        " gives partition keys but none of its assets is partitioned; "
                        "drop partition_keys or select partitioned assets");
  }
  for (const std::string& key : keys) {
    std::string first_problem;
    bool valid = false;
    for (const PartitionsDefinition* def : definitions) {
      std::vector<std::string> dynamic_keys;
      if (def->kind() == PartitionsKind::kDynamic) {
        dynamic_keys = storage.dynamic_partition_keys(def->dynamic_name());
        if (auto it = pending.find(def->dynamic_name()); it != pending.end()) {
          dynamic_keys.insert(dynamic_keys.end(), it->second.begin(), it->second.end());
        }
      }
      try {
        def->validate_key(key, now, dynamic_keys);
        valid = true;
        break;
      } catch (const PartitionError& e) {
        if (first_problem.empty()) first_problem = e.what();
      }
    }
    if (!valid) {
      throw ScheduleError(what + " asks for partition '" + key +
                          "' which its assets do not have: " + first_problem);
    }
  }
}

}  // namespace

std::vector<RunRecord> build_queued_runs(
    const std::vector<RunRequest>& requests, const RequestOrigin& origin, const AssetGraph& graph,
    Storage& storage, std::chrono::system_clock::time_point now,
    const std::map<std::string, std::vector<std::string>>& pending_dynamic) {
  std::vector<RunRecord> runs;
  // Most ticks request nothing (a skipping sensor): do not build a partition space for them.
  if (requests.empty()) return runs;
  auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  std::map<std::string, std::vector<std::string>> dynamic = storage.all_dynamic_partitions();
  for (const auto& [name, keys] : pending_dynamic) {
    auto& set = dynamic[name];
    for (const auto& key : keys) {
      if (std::find(set.begin(), set.end(), key) == set.end()) set.push_back(key);
    }
  }
  const PartitionSpace space = PartitionSpace::build(graph, now_seconds, dynamic);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const RunRequest& request = requests[i];
    std::string what = describe(i, request) + " of " + std::string(origin.name);
    std::string job_name = request.job;
    if (job_name.empty() && request.selection.empty()) job_name = origin.default_job;
    const Job* job = nullptr;
    if (!job_name.empty()) {
      job = graph.find_job(job_name);
      if (job == nullptr) {
        throw ScheduleError(what + " names job '" + job_name + "' which is not in Definitions" +
                            did_you_mean(job_name, job_names(graph)) +
                            "; add it to Definitions::jobs");
      }
    }
    std::string selection = !request.selection.empty() ? request.selection
                            : job != nullptr           ? job->selection
                                                       : std::string();
    if (selection.empty()) {
      throw ScheduleError(what + " names neither a job nor a selection, and " +
                          std::string(origin.name) + " has no default job");
    }
    std::vector<NodeId> nodes;
    try {
      nodes = resolve_selection(graph, selection);
    } catch (const SelectionError& e) {
      throw ScheduleError(what + " has an invalid selection: " + e.what());
    }
    if (nodes.empty())
      throw ScheduleError(what + ": selection '" + selection + "' selects nothing");
    if (!request.partition_keys.empty()) {
      validate_partition_keys(request.partition_keys, nodes, graph, storage, now_seconds,
                              pending_dynamic, what);
    }

    // The steps are recorded at once, so the queue and the automation see what the run will do.
    std::vector<StepRef> steps;
    try {
      steps = select_steps(space, nodes, request.partition_keys);
    } catch (const Error& e) {
      throw ScheduleError(what + ": " + e.what());
    }
    RunRecord run;
    run.run_id = new_run_id();
    for (StepRef step : steps) run.step_keys.push_back(space.step_key(step));
    run.job_name = job != nullptr ? job->name : std::string();
    run.selection = selection;
    run.status = RunStatus::kQueued;
    run.config_json = !request.config_json.empty()                  ? request.config_json
                      : job != nullptr && !job->config_json.empty() ? job->config_json
                                                                    : std::string("{}");
    if (job != nullptr) run.tags = job->tags;
    for (const auto& [k, v] : request.tags) run.tags[k] = v;
    run.tags[std::string(origin.tag_key)] = std::string(origin.name);
    run.root_run_id = run.run_id;
    run.created_at = to_epoch_seconds(now);
    run.partition_keys = request.partition_keys;
    run.priority = request.priority;
    // Run keys are unique per instigator, and the store claims them instance-wide.
    if (!request.run_key.empty()) run.run_key = std::string(origin.name) + ":" + request.run_key;
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace cairn
