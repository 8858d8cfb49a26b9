#pragma once
// The partitions of every asset of a graph at one moment (docs/partitions.md): the keys of each
// partitioned asset — time windows up to `now`, dynamic sets as stored — and, for each step
// (asset × partition), the upstream partitions it reads through its dependencies' mappings.
//
// Design: keys live in one flat array per asset, and a partition is named inside the space by
// its index in that array (PartitionIndex), so staleness and planning keep per-step state in
// flat vectors. A space is a snapshot: rebuild it when time passes a window boundary or a
// dynamic set changes.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/step_key.hpp"
#include "graph/asset_graph.hpp"
#include "partitions/partition_mapping.hpp"

namespace cairn {

using PartitionIndex = std::uint32_t;
/// The partition index of an unpartitioned asset's single step.
inline constexpr PartitionIndex kUnpartitioned = 0;

/// One step of the space: an asset and one of its partitions (kUnpartitioned for an
/// unpartitioned asset).
struct StepRef {
  NodeId node = 0;
  PartitionIndex partition = 0;
  bool operator==(const StepRef&) const = default;
};

class PartitionSpace {
 public:
  /// `dynamic_keys`: the current keys of every dynamic set (Storage::all_dynamic_partitions()).
  /// A set missing from the map is empty.
  static PartitionSpace build(const AssetGraph& graph, std::chrono::sys_seconds now,
                              const std::map<std::string, std::vector<std::string>>& dynamic_keys);

  const AssetGraph& graph() const { return *graph_; }
  std::chrono::sys_seconds now() const { return now_; }

  /// Whether build(graph(), now, dynamic_keys) would give every asset the keys it has here: no
  /// time window ended between now() and `now`, and every dynamic set holds the same keys in the
  /// same order. The daemon keeps a space (and a StalenessIndex over it) while this holds.
  bool keys_unchanged(std::chrono::sys_seconds now,
                      const std::map<std::string, std::vector<std::string>>& dynamic_keys) const;

  bool is_partitioned(NodeId node) const;
  /// Number of steps of `node`: its key count, or 1 if it is not partitioned.
  std::size_t step_count(NodeId node) const;
  /// The keys of a partitioned asset in definition order; empty for an unpartitioned one.
  std::span<const std::string> keys(NodeId node) const;
  /// The key of a step: "" for an unpartitioned asset.
  std::string_view key(StepRef step) const;
  /// The index of `key` among node's keys; for an unpartitioned asset, kUnpartitioned when
  /// `key` is empty. nullopt if the key is not (or no longer) in the space.
  std::optional<PartitionIndex> find(NodeId node, std::string_view key) const;

  /// The upstream steps `step` reads from its typed dependency number `typed_index` (position in
  /// AssetGraph::typed_upstream(node)), in upstream key order. Upstream keys that do not exist
  /// (an offset before the start, a static mapping naming a missing key) are left out: a step
  /// whose single-valued dependency maps to nothing cannot run (see missing_upstream()).
  std::vector<StepRef> dependency_steps(StepRef step, std::size_t typed_index) const;
  /// Every upstream step `step` must run after: each typed dependency through its mapping, and
  /// each ordering-only (`after`) upstream through the default mapping; each step once.
  std::vector<StepRef> upstream_steps(StepRef step) const;
  /// Every downstream step reading `step` (the inverse of upstream_steps()).
  std::vector<StepRef> downstream_steps(StepRef step) const;
  /// Why `step` cannot run whatever is materialized ("needs partition 2024-12-31 of credit/raw,
  /// before its first partition 2025-01-01"); nullopt when all its single-valued dependencies
  /// map to existing upstream partitions.
  std::optional<std::string> missing_upstream(StepRef step) const;

  /// The step key the engine and the event log use: the asset key, then "[partition]" when
  /// partitioned: "credit/raw[2025-01-01]".
  std::string step_key(StepRef step) const;

 private:
  /// One dependency edge, made concrete for the keys of the space.
  struct Edge {
    NodeId up = 0;
    NodeId down = 0;
    bool ordering_only = false;
    ResolvedMapping mapping;
    std::optional<PartitionIndex> single;  // kSingle: the upstream partition, if it exists
    // kByKey: per downstream partition, the upstream one (-1: none); and the inverse.
    std::vector<std::int64_t> by_key;
    std::vector<std::vector<PartitionIndex>> inverse;
  };

  PartitionSpace() = default;
  const PartitionsDefinition* definition(NodeId node) const;
  void add_edge(NodeId down, NodeId up, const PartitionMapping& mapping, bool ordering_only);
  void append_dependency_steps(const Edge& edge, StepRef step, std::vector<StepRef>& out) const;
  void append_all_steps(NodeId node, std::vector<StepRef>& out) const;
  std::string absent_reason(NodeId up, std::string_view key) const;

  const AssetGraph* graph_ = nullptr;
  std::chrono::sys_seconds now_{};
  std::vector<std::vector<std::string>> keys_;  // per node; empty when unpartitioned
  std::vector<std::map<std::string, PartitionIndex, std::less<>>> dynamic_index_;  // per node
  std::vector<Edge> edges_;
  // Per node: its typed edges in typed_upstream() order, then its ordering-only edges.
  std::vector<std::vector<std::size_t>> in_edges_;
  std::vector<std::vector<std::size_t>> out_edges_;  // per node: edges it is the upstream of
};

}  // namespace cairn
