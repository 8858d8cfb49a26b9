#pragma once
// The partition options shared by `materialize` and `backfill create`: `--partition KEY` and
// `--partitions FROM..TO`, resolved against the partitions of the selected assets.

#include <span>
#include <string>
#include <vector>

#include "plan/partition_space.hpp"

namespace cairn {

/// The partitioned assets of `selected`, after checking that their partitions are compatible:
/// one kind, and for time windows one cadence and time zone (start and end may differ), for
/// dynamic partitions one set. Throws PartitionError naming two incompatible assets, or if none
/// is partitioned (`option` names the flag in the message).
std::vector<NodeId> partitioned_assets(const PartitionSpace& space,
                                       std::span<const NodeId> selected, std::string_view option);

/// The keys named by `single` (one key) or `range` ("FROM..TO", inclusive), at most one of
/// them non-empty; empty when both are. A key must be a partition of at least one selected
/// asset (assets whose range does not cover it skip it: select_steps()). Throws PartitionError
/// with the valid range on a bad key or a malformed range.
std::vector<std::string> resolve_partition_args(const PartitionSpace& space,
                                                std::span<const NodeId> selected,
                                                const std::string& single,
                                                const std::string& range);

}  // namespace cairn
