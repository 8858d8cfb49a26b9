#pragma once
// How the partitions of a downstream asset map to those of one upstream (PartitionMapping in
// cairn/partitions.hpp, docs/partitions.md): checking a mapping when the graph is built, and
// turning it into the concrete rule PartitionSpace applies to keys.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cairn/asset.hpp"

namespace cairn {

/// Whether a dependency passes a value (typed, with its own mapping) or only orders the steps
/// (`.after()`, always with the default mapping).
enum class DependencyKind { kTyped, kOrderingOnly };

/// Why `mapping` cannot map the partitions of `downstream` to those of `upstream`, as a message
/// naming both assets and the fix; nullopt when it can.
std::optional<std::string> partition_mapping_problem(const AssetDefinition& downstream,
                                                     const AssetDefinition& upstream,
                                                     const PartitionMapping& mapping,
                                                     DependencyKind kind);

/// A mapping made concrete for two definitions.
struct ResolvedMapping {
  enum class Kind {
    kWhole,   ///< the upstream is not partitioned: its one step
    kShift,   ///< time windows on one grid: upstream window number = downstream's + shift
    kAll,     ///< every upstream partition
    kByKey,   ///< upstream key = upstream_key(downstream key): identity by key, or a static map
    kSingle,  ///< always upstream partition `single_key`
  };
  Kind kind = Kind::kWhole;
  std::int64_t shift = 0;
  const std::map<std::string, std::string>* static_map = nullptr;  ///< kByKey; null: identity
  std::string single_key;

  /// kByKey: the upstream key downstream partition `key` reads; nullopt when a static map has
  /// no entry for it.
  std::optional<std::string_view> upstream_key(std::string_view key) const;
};

/// Resolves a mapping that partition_mapping_problem() accepted. `mapping` must outlive the
/// result (a static map is referenced, not copied).
ResolvedMapping resolve_partition_mapping(const std::optional<PartitionsDefinition>& downstream,
                                          const std::optional<PartitionsDefinition>& upstream,
                                          const PartitionMapping& mapping);

}  // namespace cairn
