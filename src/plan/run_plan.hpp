#pragma once
// The per-run plan: which steps (asset × partition) a run executes, in which order, and where
// each step's inputs come from — another step of the run, or an earlier materialization loaded
// from storage (ninja's Plan, kept apart from the static graph and from the engine that runs it).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/run_record.hpp"
#include "core/storage.hpp"
#include "graph/asset_graph.hpp"
#include "plan/partition_space.hpp"

namespace cairn {

struct PlannedStep {
  NodeId node = 0;
  std::string partition_key;  // empty when the asset is not partitioned
  std::string key;            // the step key: "asset" or "asset[partition]"
};

/// Where one value a step reads comes from.
struct InputSource {
  enum class From : std::uint8_t { kStep, kStored };
  From from = From::kStep;
  std::uint32_t index = 0;    // into RunPlan::steps or RunPlan::stored_inputs
  std::string partition_key;  // the upstream partition read (keys of a fan-in input)
};

struct StepInputs {
  /// One entry per typed dependency, in compute-argument order: one source, or one per
  /// materialized upstream partition for a fan-in (all_partitions) dependency.
  std::vector<std::vector<InputSource>> typed;
  /// The steps of the run this step waits for (typed and ordering-only upstreams), each once.
  std::vector<std::uint32_t> after;
};

/// A value a step needs from an asset partition the run does not compute: loaded from its
/// latest materialization through the IO manager that stored it.
struct StoredInput {
  NodeId node = 0;
  std::string partition_key;
  MaterializationRecord materialization;
};

struct RunPlan {
  std::vector<PlannedStep> steps;          // upstream before downstream
  std::vector<StepInputs> inputs;          // parallel to steps
  std::vector<StoredInput> stored_inputs;  // each upstream partition once
  std::vector<std::string> step_keys() const;
};

/// The steps of `selected` (topologically ordered node ids): one per unpartitioned asset, and
/// for each partitioned asset one per key of `partition_keys`. Throws PartitionError if a
/// partitioned asset is selected without partition keys (naming it and `--partition`), or a
/// key is not one of an asset's keys (the message states the valid range). `all_partitions`
/// instead takes every key each partitioned asset has in `space` (and `partition_keys` must be
/// empty).
std::vector<StepRef> select_steps(const PartitionSpace& space, std::span<const NodeId> selected,
                                  std::span<const std::string> partition_keys,
                                  bool all_partitions = false);

/// Plans `steps` (in topological order of their assets): resolves each step's inputs through
/// the partition mappings to steps of the plan or to stored materializations. Throws
/// cairn::Error when a step needs an upstream value that is neither planned nor ever
/// materialized (naming the asset partition and the selection that would include it), or a
/// single-valued dependency maps to no partition (PartitionSpace::missing_upstream()).
RunPlan plan_steps(const PartitionSpace& space, std::span<const StepRef> steps, Storage& storage);

/// Plans every step of the space (every partition of each partitioned asset); nothing is loaded
/// from storage. For tests and benchmarks of whole graphs.
RunPlan plan_everything(const PartitionSpace& space);

/// select_steps() then plan_steps().
RunPlan plan_selection(const PartitionSpace& space, std::span<const NodeId> selected,
                       std::span<const std::string> partition_keys, Storage& storage);

/// Plans the re-execution of `parent` from its failure: every step of the parent that did not
/// succeed (failed, skipped, never started, or lost with its process) runs again; values of the
/// steps that succeeded are loaded from storage. Steps whose value the in-memory IO manager kept
/// are recomputed, since that memory died with the parent's process. Throws cairn::Error if the
/// parent is unfinished, succeeded entirely, or names assets or partitions no longer defined.
RunPlan plan_reexecution(const PartitionSpace& space, const RunRecord& parent,
                         std::span<const Event> parent_events, Storage& storage);

}  // namespace cairn
