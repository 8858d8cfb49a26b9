#pragma once
/// @file asset_graph.hpp
/// The static asset graph: every asset of a pipeline's Definitions, validated, with its upstream
/// and downstream edges and a topological order.
///
/// Design note: nodes are dense integer ids (NodeId, the index of the asset in
/// Definitions::assets) and every per-node list lives in one flat array in CSR form (an offsets
/// array plus one edges array), as ninja keeps its State. A graph of 100 000 assets then costs a
/// handful of allocations, and the planner and engine can keep their own per-node state in
/// vectors indexed by NodeId. Rejected: a node object per asset holding vectors of pointers
/// (one allocation per list, pointer chasing on every traversal, unsafe to copy).
///
/// Keys are found through an open-addressing hash table of 64-bit slots (32 bits of the key's
/// hash, the NodeId), probed linearly at a load of at most 1/2: a lookup usually costs one slot
/// and one string comparison. std::unordered_map<std::string_view, NodeId> was measured at about
/// half of the build time of a 100 000-asset graph: a node allocation per key and three dependent
/// cache misses per lookup (bucket, node, key bytes).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/definitions.hpp"

namespace cairn {

/// Index of an asset in AssetGraph; equal to its position in Definitions::assets.
using NodeId = std::uint32_t;

/// The validated asset graph of a Definitions. Immutable once built; safe for concurrent reads;
/// cheap to copy relative to building (the AssetDefinitions are shared, not copied).
///
/// @code
///   cairn::AssetGraph graph = cairn::AssetGraph::build(defs);  // throws DefinitionError
///   for (cairn::NodeId id : graph.topological_order()) {
///     for (cairn::NodeId up : graph.upstream(id)) std::cout << graph.key(up) << " -> ";
///     std::cout << graph.key(id) << "\n";
///   }
/// @endcode
class AssetGraph {
 public:
  /// Validates `defs` and builds the graph. Throws DefinitionError listing every problem found,
  /// each naming the asset (or job) and the fix: duplicate keys, dependencies on assets missing
  /// from Definitions::assets, cycles through ordering (`after`) dependencies, unknown resource or
  /// IO manager keys, values the filesystem IO manager cannot encode, partition mappings that do
  /// not fit the partitions of both assets (docs/partitions.md), and jobs with an empty or
  /// duplicate name or a selection that is invalid or matches nothing.
  static AssetGraph build(const Definitions& defs);

  /// Number of assets.
  std::size_t size() const { return keys_.size(); }
  const AssetDefinition& definition(NodeId id) const { return defs_.assets[id].definition(); }
  const std::string& key(NodeId id) const { return keys_[id]; }
  /// The asset with this key, if any.
  std::optional<NodeId> find(std::string_view key) const;

  /// The typed dependencies of `id` (AssetDefinition::deps), in compute-argument order; an
  /// upstream passed twice appears twice.
  std::span<const NodeId> typed_upstream(NodeId id) const {
    return slice(typed_offsets_, typed_edges_, id);
  }
  /// Every asset `id` must run after: typed dependencies, then ordering (`after`) ones, each once.
  std::span<const NodeId> upstream(NodeId id) const { return slice(up_offsets_, up_edges_, id); }
  /// Every asset listing `id` among its typed or ordering dependencies, each once, by NodeId.
  std::span<const NodeId> downstream(NodeId id) const {
    return slice(down_offsets_, down_edges_, id);
  }
  /// True when `upstream_id` is an upstream of `id` only through `after`, not through a typed
  /// dependency (it is then drawn dashed / marked "(after)").
  bool is_ordering_only(NodeId upstream_id, NodeId id) const;

  /// Every asset, upstream before downstream. Deterministic: among assets whose upstreams are all
  /// placed, the one listed first in Definitions::assets comes first.
  std::span<const NodeId> topological_order() const { return topological_order_; }
  /// All keys, in NodeId order.
  const std::vector<std::string>& keys() const { return keys_; }
  /// The distinct groups of the assets, sorted.
  std::vector<std::string> groups() const { return groups_; }
  /// The Definitions the graph was built from.
  const Definitions& definitions() const { return defs_; }
  /// The job named `name`, or nullptr.
  const Job* find_job(std::string_view name) const;

 private:
  AssetGraph() = default;  // only build() makes a graph: every member is filled there

  static std::span<const NodeId> slice(const std::vector<std::size_t>& offsets,
                                       const std::vector<NodeId>& edges, NodeId id) {
    return std::span<const NodeId>(edges).subspan(offsets[id], offsets[id + 1] - offsets[id]);
  }

  /// The slot of index_ holding `key`, or the empty slot where it would go.
  std::size_t probe(std::string_view key, std::size_t hash) const;

  Definitions defs_;
  std::vector<std::string> keys_;
  std::vector<std::uint64_t> index_;  ///< hash table of keys_; see the note at the top
  std::vector<std::size_t> typed_offsets_;
  std::vector<NodeId> typed_edges_;
  std::vector<std::size_t> up_offsets_;
  std::vector<NodeId> up_edges_;
  std::vector<std::size_t> down_offsets_;
  std::vector<NodeId> down_edges_;
  std::vector<NodeId> topological_order_;
  std::vector<std::string> groups_;
};

}  // namespace cairn
