#include "cli/staleness_view.hpp"

#include "core/data_version.hpp"

namespace cairn {

CurrentVersions current_versions(const AssetGraph& graph, const RunConfig* config) {
  CurrentVersions current = CurrentVersions::of(graph);
  current.config_hashes.resize(graph.size());
  for (NodeId node = 0; node < graph.size(); ++node) {
    const AssetDefinition& def = graph.definition(node);
    if (!def.config) {
      current.config_hashes[node] = "";
      continue;
    }
    std::string canonical = default_config_json(*def.config);
    if (config != nullptr) {
      auto given = config->canonical_by_asset.find(def.key);
      if (given != config->canonical_by_asset.end()) canonical = given->second;
    }
    current.config_hashes[node] = config_hash(canonical);
  }
  return current;
}

StalenessIndex load_staleness(CliEnv& env, const PartitionSpace& space, const RunConfig* config) {
  Storage& storage = env.instance().storage();
  return StalenessIndex::build(space, storage.asset_versions(), storage.latest_observations(),
                               current_versions(space.graph(), config));
}

std::vector<StepRef> stale_steps(CliEnv& env, const PartitionSpace& space,
                                 std::span<const StepRef> steps, const RunConfig& config) {
  return load_staleness(env, space, &config).not_fresh(steps);
}

}  // namespace cairn
