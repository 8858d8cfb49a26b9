#include "automation/pool_gate.hpp"

namespace cairn {

PoolGate::PoolGate(AutomationStore& store, std::string run_id, std::map<std::string, int> limits)
    : store_(store), run_id_(std::move(run_id)), limits_(limits.begin(), limits.end()) {}

bool PoolGate::claim(std::string_view pool, std::string_view step_key) {
  const auto limit = limits_.find(pool);
  if (limit == limits_.end()) {
    throw DefinitionError("step " + std::string(step_key) + " uses pool '" + std::string(pool) +
                          "' which is not in Definitions::pools; add it with its limit");
  }
  return store_.try_claim_pool_slot(pool, limit->second, run_id_, step_key);
}

void PoolGate::release(std::string_view pool, std::string_view step_key) {
  store_.release_pool_slot(pool, run_id_, step_key);
}

std::vector<std::string> pool_definition_problems(const Definitions& defs) {
  std::vector<std::string> problems;
  for (const auto& [name, limit] : defs.pools) {
    if (limit < 1) {
      problems.push_back("pool '" + name + "' has a limit of " + std::to_string(limit) +
                         "; a pool's limit must be at least 1");
    }
  }
  for (const AssetRef& asset : defs.assets) {
    const std::string& pool = asset.definition().pool;
    if (!pool.empty() && !defs.pools.contains(pool)) {
      problems.push_back("asset '" + asset.key() + "' uses pool '" + pool +
                         "' which is not in Definitions::pools; add {\"" + pool +
                         "\", LIMIT} to Definitions::pools");
    }
  }
  return problems;
}

}  // namespace cairn
