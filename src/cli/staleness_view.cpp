#include "cli/staleness_view.hpp"

namespace cairn {

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
