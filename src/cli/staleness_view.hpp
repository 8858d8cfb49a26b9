#pragma once
// The CLI's view of staleness: a StalenessIndex of the instance's asset index now, with the code
// versions and config hashes the next run would use.

#include <span>
#include <vector>

#include "cli/cli_env.hpp"
#include "core/run_config.hpp"
#include "plan/staleness.hpp"

namespace cairn {

/// Missing / stale / fresh of every step of `space`. `space` must outlive the index.
StalenessIndex load_staleness(CliEnv& env, const PartitionSpace& space, const RunConfig* config);

/// The steps of `steps` that are missing or stale under `config`.
std::vector<StepRef> stale_steps(CliEnv& env, const PartitionSpace& space,
                                 std::span<const StepRef> steps, const RunConfig& config);

}  // namespace cairn
