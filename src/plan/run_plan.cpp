#include "plan/run_plan.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "cairn/error.hpp"

namespace cairn {

std::vector<std::string> RunPlan::step_keys(const AssetGraph& graph) const {
  std::vector<std::string> keys;
  keys.reserve(steps.size());
  for (NodeId id : steps) keys.push_back(graph.key(id));
  return keys;
}

namespace {

// The engine writes materialization payloads compactly (exec/materialization_payload.cpp), so
// the IO manager can be recognized without parsing the payload.
bool stored_in_memory(const std::string& materialization_payload) {
  return materialization_payload.find("\"io_manager\":\"memory\"") != std::string::npos;
}

// Fills stored_inputs for the typed upstreams of plan.steps that are outside the plan.
void find_stored_inputs(const AssetGraph& graph, RunPlan& plan, Storage& storage) {
  std::vector<char> in_plan(graph.size(), 0);
  for (NodeId id : plan.steps) in_plan[id] = 1;
  std::vector<char> seen(graph.size(), 0);
  for (NodeId id : plan.steps) {
    for (NodeId up : graph.typed_upstream(id)) {
      if (in_plan[up] || seen[up]) continue;
      seen[up] = 1;
      auto latest = storage.latest_materialization(graph.key(up), "");
      if (!latest) {
        throw Error("asset '" + graph.key(id) + "' needs the value of '" + graph.key(up) +
                    "', which is not in the selection and has never been materialized; select "
                    "it too, e.g. with '+" +
                    graph.key(id) + "' or '*" + graph.key(id) + "'");
      }
      if (stored_in_memory(latest->payload_json)) {
        throw Error("asset '" + graph.key(id) + "' needs the value of '" + graph.key(up) +
                    "', which is not in the selection and was last kept by the in-memory IO "
                    "manager of another process; select it too, e.g. with '+" +
                    graph.key(id) + "'");
      }
      plan.stored_inputs.push_back(StoredInput{up, std::move(*latest)});
    }
  }
}

}  // namespace

RunPlan plan_selection(const AssetGraph& graph, std::span<const NodeId> selected,
                       Storage& storage) {
  RunPlan plan;
  plan.steps.assign(selected.begin(), selected.end());
  find_stored_inputs(graph, plan, storage);
  return plan;
}

RunPlan plan_reexecution(const AssetGraph& graph, const RunRecord& parent,
                         std::span<const Event> parent_events, Storage& storage) {
  if (!is_finished(parent.status)) {
    throw Error("run " + parent.run_id + " is " + std::string(to_string(parent.status)) +
                "; only a finished run can be re-executed (cancel it first with `runs cancel`)");
  }
  std::unordered_set<std::string> succeeded;
  std::unordered_set<std::string> in_memory;
  for (const Event& e : parent_events) {
    if (e.type == EventType::kStepSuccess) succeeded.insert(e.step_key);
    if (e.type == EventType::kAssetMaterialization && stored_in_memory(e.payload_json)) {
      in_memory.insert(e.step_key);
    }
  }
  std::vector<char> rerun(graph.size(), 0);
  std::size_t count = 0;
  for (const std::string& key : parent.step_keys) {
    auto id = graph.find(key);
    if (!id) {
      throw Error("run " + parent.run_id + " materialized asset '" + key +
                  "', which this pipeline no longer defines; materialize a new selection instead");
    }
    if (!succeeded.contains(key) || in_memory.contains(key)) {
      rerun[*id] = 1;
      ++count;
    }
  }
  bool any_failed = std::any_of(parent.step_keys.begin(), parent.step_keys.end(),
                                [&](const std::string& k) { return !succeeded.contains(k); });
  if (!any_failed) {
    throw Error("run " + parent.run_id + " has no failed or skipped step to re-execute");
  }
  RunPlan plan;
  plan.steps.reserve(count);
  for (NodeId id : graph.topological_order()) {
    if (rerun[id]) plan.steps.push_back(id);
  }
  find_stored_inputs(graph, plan, storage);
  return plan;
}

}  // namespace cairn
