#include "plan/run_plan.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "cairn/error.hpp"
#include "cairn/partitions.hpp"

namespace cairn {

std::vector<std::string> RunPlan::step_keys() const {
  std::vector<std::string> keys;
  keys.reserve(steps.size());
  for (const auto& step : steps) keys.push_back(step.key);
  return keys;
}

namespace {

std::uint64_t pack(StepRef step) {
  return (std::uint64_t{step.node} << 32) | step.partition;
}

// The engine writes materialization payloads compactly (exec/materialization_payload.cpp), so
// the IO manager can be recognized without parsing the payload.
bool stored_in_memory(const std::string& materialization_payload) {
  return materialization_payload.find("\"io_manager\":\"memory\"") != std::string::npos;
}

std::vector<std::string> keys_of(const PartitionSpace& space, NodeId node) {
  auto keys = space.keys(node);
  return {keys.begin(), keys.end()};
}

// A key that one selected asset lacks is skipped for it when another selected asset has it: a
// range of days covers an asset that starts a day later (its first day is not one of its keys).
bool partitions_of_other_assets_have(const PartitionSpace& space, std::span<const NodeId> selected,
                                     NodeId node, const std::string& key) {
  return std::any_of(selected.begin(), selected.end(), [&](NodeId other) {
    return other != node && space.is_partitioned(other) && space.find(other, key);
  });
}

class Planner {
 public:
  // `storage` may be null when every input is planned (plan_everything).
  Planner(const PartitionSpace& space, Storage* storage) : space_(space), storage_(storage) {}

  RunPlan plan(std::span<const StepRef> steps) {
    plan_.steps.reserve(steps.size());
    for (StepRef step : steps) {
      planned_.emplace(pack(step), static_cast<std::uint32_t>(plan_.steps.size()));
      plan_.steps.push_back(
          PlannedStep{step.node, std::string(space_.key(step)), space_.step_key(step)});
    }
    plan_.inputs.resize(steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) resolve(steps[i], plan_.inputs[i]);
    return std::move(plan_);
  }

 private:
  void resolve(StepRef step, StepInputs& inputs) {
    const AssetGraph& graph = space_.graph();
    if (auto missing = space_.missing_upstream(step)) {
      throw Error("step '" + space_.step_key(step) + "' cannot run: " + *missing);
    }
    const AssetDefinition& def = graph.definition(step.node);
    const std::size_t typed_count = graph.typed_upstream(step.node).size();
    inputs.typed.resize(typed_count);
    for (std::size_t i = 0; i < typed_count; ++i) {
      const bool fan_in = i < def.dep_partitions.size() &&
                          def.dep_partitions[i].mapping.kind == PartitionMapping::Kind::kAll;
      for (StepRef up : space_.dependency_steps(step, i)) {
        auto source = source_of(step, up, fan_in);
        if (source) inputs.typed[i].push_back(std::move(*source));
      }
    }
    for (StepRef up : space_.upstream_steps(step)) {
      auto it = planned_.find(pack(up));
      if (it == planned_.end()) continue;
      if (std::find(inputs.after.begin(), inputs.after.end(), it->second) == inputs.after.end()) {
        inputs.after.push_back(it->second);
      }
    }
  }

  // Where `step` reads upstream step `up` from; nullopt for a partition a fan-in input goes
  // without because it was never materialized.
  std::optional<InputSource> source_of(StepRef step, StepRef up, bool fan_in) {
    std::string partition(space_.key(up));
    if (auto it = planned_.find(pack(up)); it != planned_.end()) {
      return InputSource{InputSource::From::kStep, it->second, std::move(partition)};
    }
    if (auto it = stored_.find(pack(up)); it != stored_.end()) {
      return InputSource{InputSource::From::kStored, it->second, std::move(partition)};
    }
    const std::string& up_asset = space_.graph().key(up.node);
    if (storage_ == nullptr) {
      throw Error("internal: '" + space_.step_key(up) + "' is not planned and there is no storage");
    }
    auto latest = storage_->latest_materialization(up_asset, partition);
    const std::string up_step = space_.step_key(up);
    const std::string down_asset = space_.graph().key(step.node);
    if (!latest) {
      if (fan_in) return std::nullopt;
      throw Error("asset '" + space_.step_key(step) + "' needs the value of '" + up_step +
                  "', which is not in the selection and has never been materialized; select "
                  "it too, e.g. with '+" +
                  down_asset + "' or '*" + down_asset + "'");
    }
    if (stored_in_memory(latest->payload_json)) {
      throw Error("asset '" + space_.step_key(step) + "' needs the value of '" + up_step +
                  "', which is not in the selection and was last kept by the in-memory IO "
                  "manager of another process; select it too, e.g. with '+" +
                  down_asset + "'");
    }
    auto index = static_cast<std::uint32_t>(plan_.stored_inputs.size());
    plan_.stored_inputs.push_back(StoredInput{up.node, partition, std::move(*latest)});
    stored_.emplace(pack(up), index);
    return InputSource{InputSource::From::kStored, index, std::move(partition)};
  }

  const PartitionSpace& space_;
  Storage* storage_;
  RunPlan plan_;
  std::unordered_map<std::uint64_t, std::uint32_t> planned_;
  std::unordered_map<std::uint64_t, std::uint32_t> stored_;
};

}  // namespace

std::vector<StepRef> select_steps(const PartitionSpace& space, std::span<const NodeId> selected,
                                  std::span<const std::string> partition_keys,
                                  bool all_partitions) {
  const AssetGraph& graph = space.graph();
  std::vector<StepRef> steps;
  steps.reserve(selected.size());
  for (NodeId node : selected) {
    if (!space.is_partitioned(node)) {
      steps.push_back(StepRef{node, kUnpartitioned});
      continue;
    }
    const PartitionsDefinition& partitions = *graph.definition(node).partitions;
    if (all_partitions) {
      for (std::size_t i = 0; i < space.step_count(node); ++i) {
        steps.push_back(StepRef{node, static_cast<PartitionIndex>(i)});
      }
      continue;
    }
    if (partition_keys.empty()) {
      throw PartitionError("asset '" + graph.key(node) + "' is partitioned (" +
                           partitions.describe() +
                           "): choose partitions with --partition KEY or --partitions FROM..TO");
    }
    std::size_t found = 0;
    for (const std::string& key : partition_keys) {
      if (auto index = space.find(node, key)) {
        steps.push_back(StepRef{node, *index});
        ++found;
      } else if (!partitions_of_other_assets_have(space, selected, node, key)) {
        partitions.validate_key(key, space.now(), keys_of(space, node));
        throw PartitionError("partition '" + key + "' is not a partition of asset '" +
                             graph.key(node) + "' (" + partitions.describe() + ")");
      }
    }
    if (found == 0) {
      throw PartitionError("asset '" + graph.key(node) + "' (" + partitions.describe() +
                           ") has none of the partitions requested (" + partition_keys.front() +
                           (partition_keys.size() > 1 ? " .. " + partition_keys.back() : "") +
                           "); leave it out of the selection or choose partitions it has");
    }
  }
  return steps;
}

RunPlan plan_steps(const PartitionSpace& space, std::span<const StepRef> steps, Storage& storage) {
  return Planner(space, &storage).plan(steps);
}

RunPlan plan_everything(const PartitionSpace& space) {
  const AssetGraph& graph = space.graph();
  std::vector<NodeId> all(graph.topological_order().begin(), graph.topological_order().end());
  std::vector<StepRef> steps = select_steps(space, all, {}, /*all_partitions=*/true);
  return Planner(space, nullptr).plan(steps);
}

RunPlan plan_selection(const PartitionSpace& space, std::span<const NodeId> selected,
                       std::span<const std::string> partition_keys, Storage& storage) {
  std::vector<StepRef> steps = select_steps(space, selected, partition_keys);
  return plan_steps(space, steps, storage);
}

RunPlan plan_reexecution(const PartitionSpace& space, const RunRecord& parent,
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
  const AssetGraph& graph = space.graph();
  std::vector<StepRef> rerun;
  for (const std::string& key : parent.step_keys) {
    auto [asset, partition] = split_step_key(key);
    auto node = graph.find(asset);
    if (!node) {
      throw Error("run " + parent.run_id + " materialized asset '" + std::string(asset) +
                  "', which this pipeline no longer defines; materialize a new selection instead");
    }
    auto index = space.find(*node, partition);
    if (!index) {
      throw Error("run " + parent.run_id + " materialized partition '" + std::string(partition) +
                  "' of asset '" + std::string(asset) +
                  "', which no longer exists; materialize a new selection instead");
    }
    if (!succeeded.contains(key) || in_memory.contains(key)) {
      rerun.push_back(StepRef{*node, *index});
    }
  }
  bool any_failed = std::any_of(parent.step_keys.begin(), parent.step_keys.end(),
                                [&](const std::string& k) { return !succeeded.contains(k); });
  if (!any_failed) {
    throw Error("run " + parent.run_id + " has no failed or skipped step to re-execute");
  }
  return plan_steps(space, rerun, storage);
}

}  // namespace cairn
