#include "cli/partition_args.hpp"

#include <algorithm>

#include "cairn/error.hpp"
#include "cairn/partitions.hpp"

namespace cairn {

namespace {

bool compatible(const PartitionsDefinition& a, const PartitionsDefinition& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case PartitionsKind::kTimeWindow:
      return a.cadence() == b.cadence() && a.timezone() == b.timezone();
    case PartitionsKind::kDynamic:
      return a.dynamic_name() == b.dynamic_name();
    case PartitionsKind::kStatic:
      return true;
  }
  return false;
}

std::vector<std::string> keys_of(const PartitionSpace& space, NodeId node) {
  auto keys = space.keys(node);
  return {keys.begin(), keys.end()};
}

}  // namespace

std::vector<NodeId> partitioned_assets(const PartitionSpace& space,
                                       std::span<const NodeId> selected, std::string_view option) {
  const AssetGraph& graph = space.graph();
  std::vector<NodeId> partitioned;
  for (NodeId node : selected) {
    const auto& partitions = graph.definition(node).partitions;
    if (!partitions) continue;
    if (!partitioned.empty()) {
      const PartitionsDefinition& first = *graph.definition(partitioned.front()).partitions;
      if (!compatible(first, *partitions)) {
        throw PartitionError(
            "the selection mixes partitionings: '" + graph.key(partitioned.front()) + "' is " +
            first.describe() + " but '" + graph.key(node) + "' is " + partitions->describe() +
            "; " + std::string(option) + " needs one partitioning: select them separately");
      }
    }
    partitioned.push_back(node);
  }
  if (partitioned.empty()) {
    throw PartitionError("no selected asset is partitioned, so " + std::string(option) +
                         " does not apply; drop it");
  }
  return partitioned;
}

std::vector<std::string> resolve_partition_args(const PartitionSpace& space,
                                                std::span<const NodeId> selected,
                                                const std::string& single,
                                                const std::string& range) {
  if (single.empty() && range.empty()) return {};
  if (!single.empty() && !range.empty()) {
    throw PartitionError("give either --partition KEY or --partitions FROM..TO, not both");
  }
  const std::string option = single.empty() ? "--partitions" : "--partition";
  std::vector<NodeId> assets = partitioned_assets(space, selected, option);
  const AssetGraph& graph = space.graph();
  if (!single.empty()) {
    for (NodeId node : assets) {
      if (space.find(node, single)) return {single};
    }
    const NodeId first = assets.front();
    graph.definition(first).partitions->validate_key(single, space.now(), keys_of(space, first));
    throw PartitionError("'" + single + "' is not a partition of any selected asset");
  }
  auto dots = range.find("..");
  if (dots == std::string::npos || dots == 0 || dots + 2 >= range.size()) {
    throw PartitionError("--partitions '" + range +
                         "' is not a range: write FROM..TO, e.g. 2025-01-01..2025-01-31");
  }
  const std::string from = range.substr(0, dots);
  const std::string to = range.substr(dots + 2);
  // The range is read on the asset whose partitions cover it; the first one's error explains a
  // range no asset covers.
  auto covering = std::find_if(assets.begin(), assets.end(), [&](NodeId node) {
    return space.find(node, from) && space.find(node, to);
  });
  const NodeId reference = covering == assets.end() ? assets.front() : *covering;
  return graph.definition(reference).partitions->range(from, to, space.now(),
                                                       keys_of(space, reference));
}

}  // namespace cairn
