#pragma once
// The per-run plan: which steps a run executes, in which order, and which upstream values it
// loads from storage instead of computing (ninja's Plan, kept apart from the static graph and
// from the engine that runs it).

#include <span>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/run_record.hpp"
#include "core/storage.hpp"
#include "graph/asset_graph.hpp"

namespace cairn {

/// A value a step needs from an asset the run does not compute: loaded from its latest
/// materialization through the IO manager that stored it.
struct StoredInput {
  NodeId node = 0;
  MaterializationRecord materialization;
};

struct RunPlan {
  std::vector<NodeId> steps;               // topological order
  std::vector<StoredInput> stored_inputs;  // typed upstreams of `steps` outside the plan
  std::vector<std::string> step_keys(const AssetGraph& graph) const;
};

/// Plans the materialization of `selected` (topologically ordered node ids). Throws cairn::Error
/// when a step needs an upstream value that is neither selected nor ever materialized, naming
/// the asset and suggesting the selection that would include it.
RunPlan plan_selection(const AssetGraph& graph, std::span<const NodeId> selected, Storage& storage);

/// Plans the re-execution of `parent` from its failure: every step of the parent that did not
/// succeed (failed, skipped, never started, or lost with its process) runs again; values of the
/// steps that succeeded are loaded from storage. Steps whose value the in-memory IO manager kept
/// are recomputed, since that memory died with the parent's process. Throws cairn::Error if the
/// parent is unfinished, succeeded entirely, or names assets no longer defined.
RunPlan plan_reexecution(const AssetGraph& graph, const RunRecord& parent,
                         std::span<const Event> parent_events, Storage& storage);

}  // namespace cairn
