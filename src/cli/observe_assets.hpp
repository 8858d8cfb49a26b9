#pragma once

#include <span>
#include <string>
#include <vector>

#include "cli/cli_env.hpp"

namespace cairn {

struct Observed {
  std::string step_key;
  std::string data_version;  // empty when observing failed
  std::string error;
};

/// Observes every step of the observable assets among `nodes` (those with `.observe(fn)`), as
/// one run tagged cairn/kind=observe; returns nothing (and records no run) when none is
/// observable. A failing observation is reported in its Observed entry and fails the run.
std::vector<Observed> observe_assets(CliEnv& env, const PartitionSpace& space,
                                     std::span<const NodeId> nodes);

}  // namespace cairn
